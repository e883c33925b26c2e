"""The window: widgets, Qt item models and workers. Thin: no ML logic lives here."""
