"""The floors the app is measured against, each the least code that does the same job:
bare aiohttp apps, a bare SQLite insert and commit, a stdlib export writer, a bare Textual
app. None of them imports the app."""
