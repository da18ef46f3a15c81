"""One router per resource: public widget, counsellor console, login."""
