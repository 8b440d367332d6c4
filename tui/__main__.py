from tui.cli import run

if __name__ == "__main__":  # also imported by spawned index-building processes, which must not run the CLI
    run()
