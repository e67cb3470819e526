"""`mj summary` on screen: concerns under their meetings, milestones under their goals, and
text shown as typed even when it looks like markup."""


def lines_of(result) -> list[str]:
    assert result.exit_code == 0, result.output
    return [line.rstrip() for line in result.stdout.splitlines()]


def test_the_summary_groups_each_record_under_what_it_belongs_to(run, mentee):
    run("meeting", "log", "--minutes", "30", "--focus", "Career plan", "--concern", "tired", "--at", "5 days ago")
    run("meeting", "log", "--minutes", "45", "--focus", "Delegation", "--concern", "nerves", "--at", "2 days ago")
    for text, win in (("Give talks", "First talk"), ("Run standups", "First standup")):
        goal = run("goal", "add", text, "--measure", "times", "--target", "5", "--due", "in 6 weeks",
                   "--at", "9 days ago").stdout.strip()
        milestone = run("milestone", "add", goal[:8], win, "--at", "9 days ago").stdout.strip()
        run("milestone", "reach", milestone[:8], "--at", "yesterday")
    lines = lines_of(run("summary"))
    at = {text: next(n for n, line in enumerate(lines) if text in line)
          for text in ("Career plan", "tired", "Delegation", "nerves", "Give talks", "First talk", "Run standups",
                       "First standup")}
    assert at["tired"] == at["Career plan"] + 1 and at["nerves"] == at["Delegation"] + 1
    assert at["First talk"] == at["Give talks"] + 1 and at["First standup"] == at["Run standups"] + 1


def test_a_measure_that_looks_like_markup_is_shown_as_typed(run, mentee):
    goal = run("goal", "add", "Speak [b]up", "--measure", "talks [/x]", "--target", "5", "--due", "in 6 weeks",
               "--at", "3 days ago").stdout.strip()
    run("goal", "progress", goal[:8], "2", "--at", "yesterday")
    assert "Goal: Speak [b]up: – → 2 talks [/x] (open)" in lines_of(run("summary"))
