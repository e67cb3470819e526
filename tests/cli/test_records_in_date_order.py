"""`mj goal progress`, `mj milestone reach`, `mj action done` dated before what they are about:
refused with one clear line and nothing written; dated on or after it, recorded."""

import json

from tests.cli.test_cli_bad_input import refused_without_writing


def test_progress_dated_before_its_goal_was_set_is_refused(run, mentee):
    goal = run("goal", "add", "Run standups", "--measure", "standups", "--target", "8", "--due", "in 10 weeks",
               "--at", "2026-05-10").stdout.strip()
    refused_without_writing(run, mentee, ["goal", "progress", goal[:8], "3", "--at", "2026-05-01"], 1,
                            f"progress dated 2026-05-01 is before goal {goal[:8]} was set (2026-05-10)")
    assert run("goal", "progress", goal[:8], "3", "--at", "2026-05-10").exit_code == 0


def test_a_milestone_reached_before_it_was_added_is_refused(run, mentee):
    goal = run("goal", "add", "Run standups", "--measure", "standups", "--due", "in 10 weeks",
               "--at", "2026-05-01").stdout.strip()
    milestone = run("milestone", "add", goal[:8], "First standup", "--at", "2026-05-10").stdout.strip()
    refused_without_writing(run, mentee, ["milestone", "reach", milestone[:8], "--at", "2026-05-09"], 1,
                            f"before milestone {milestone[:8]} was added (2026-05-10)")
    assert run("milestone", "reach", milestone[:8], "--at", "2026-05-11").exit_code == 0


def test_an_action_done_before_its_meeting_is_refused(run, mentee):
    meeting = run("meeting", "log", "--minutes", "30", "--focus", "plan", "--action", "draft CV",
                  "--at", "2026-05-10").stdout.strip()
    [action] = json.loads(run("show", meeting[:8], "--json").stdout)["actions"]
    refused_without_writing(run, mentee, ["action", "done", action["id"][:8], "--at", "2026-05-02"], 1,
                            f"an action done dated 2026-05-02 is before action item {action['id'][:8]} "
                            "was agreed (2026-05-10)")
    assert run("action", "done", action["id"][:8]).exit_code == 0
