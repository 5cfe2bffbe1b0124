"""Allure labels, links, attachments, verdicts and record mode for runs (issue 4)."""
