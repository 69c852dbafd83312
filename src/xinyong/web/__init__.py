"""The web faces: the public portal (``/``) and the admin console (``/admin``), server-rendered."""
