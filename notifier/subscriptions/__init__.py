"""Subscribing, confirming, managing and leaving: the rules behind the public pages."""
