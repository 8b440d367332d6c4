from tui.cli import main

if __name__ == "__main__":  # also imported by spawned index-building processes, which must not run the CLI
    main()
