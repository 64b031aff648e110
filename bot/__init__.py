"""Channels (terminal, Telegram), the command line, configuration and translations."""
