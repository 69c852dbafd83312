"""Adapters: storage, files, passwords, notifications. The only layer that talks to the outside."""
