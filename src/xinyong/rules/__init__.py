"""Loaders and schemas for the effective-dated rule files; the default files ship as package data."""
