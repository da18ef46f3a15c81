"""The web app: public tchat widget, counsellor console, websocket hub, persistence, accounts."""
