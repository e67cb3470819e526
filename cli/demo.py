"""`mj demo`: placeholder replaced below."""
import click


@click.command()
def demo():
    """Run the story in a throwaway home."""
