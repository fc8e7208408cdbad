import sys


def pytest_terminal_summary(terminalreporter):
    """The fuzz run's figures, when it ran (importing it here would load the schema)."""
    fuzz = next((m for name, m in sys.modules.items() if name.endswith("test_api_fuzz")), None)
    if fuzz is not None and fuzz.SENT:
        terminalreporter.write_line(f"API fuzz: {fuzz.summary()}")
