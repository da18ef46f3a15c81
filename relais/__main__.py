from relais.cli import app

app()
