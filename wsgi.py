from lawlearn import create_app

app = create_app()
