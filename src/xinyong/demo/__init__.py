"""The demo city (扬州市): static data (``city``, ``names``, ``texts``), vectorised identifier maths
(``codes``) and pure, seeded generation of subjects and records (``generate``, ``records``)."""
