def pytest_terminal_summary(terminalreporter):
    from .test_api_fuzz import SENT, summary

    if SENT:
        terminalreporter.write_line(f"API fuzz: {summary()}")
