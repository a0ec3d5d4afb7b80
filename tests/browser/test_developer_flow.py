"""From a developer's form to a user's result: deploy, submit, review, publish, run (§21.1)."""

import re

import pytest
from playwright.sync_api import Page, expect

from apps.accounts.models import User
from apps.jobs.models import Job, JobStatus
from apps.processes.models import Process, ProcessState
from tests.browser.test_modes import sign_in

pytestmark = [
    pytest.mark.browser,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("celery_worker_process", "default_access_rules"),
]


def sign_out(page: Page) -> None:
    page.click("#account-menu")
    page.click("#sign-out")
    expect(page.locator("#account-menu")).to_have_count(0)


def fill_row(page: Page, prefix: str, index: int, identifier: str, title: str, kind: str) -> None:
    page.fill(f"#id_{prefix}-{index}-identifier", identifier)
    page.fill(f"#id_{prefix}-{index}-title", title)
    page.select_option(f"#id_{prefix}-{index}-type", kind)


def deploy_with_the_guided_form(page: Page) -> None:
    page.click("#mode-developer > a")
    page.click("#mode-developer >> text=Deploy an application")
    page.click("#deploy a:has-text('Deploy an application')")
    expect(page.locator("#tab-guided")).to_have_class(re.compile(r"\bactive\b"))

    page.fill("#id_identifier", "scale-demo")
    page.fill("#id_title", "Scale values")
    page.fill("#id_description", "Multiplies every value by a factor and adds them up.")
    page.fill("#id_keywords", "demo, arithmetic")
    page.select_option("#id_unit_type", "python")
    expect(page.locator("#id_image")).to_be_hidden()
    page.fill("#id_callable", "apps.processes.examples:scale")

    fill_row(page, "inputs", 0, "values", "Values", "number")
    page.check("#id_inputs-0-multiple")
    page.click("#add-input")
    fill_row(page, "inputs", 1, "scratch", "Not needed after all", "string")
    page.click("#add-input")
    fill_row(page, "inputs", 2, "factor", "Factor", "number")
    page.uncheck("#id_inputs-2-required")
    # Removing the middle row numbers the last one again, as Django's formset expects.
    page.locator("[data-rows=inputs] > [data-row]").nth(1).locator("[data-remove-row]").click()
    expect(page.locator("#id_inputs-1-identifier")).to_have_value("factor")

    fill_row(page, "outputs", 0, "scaled", "Scaled values", "array")
    page.click("#add-output")
    fill_row(page, "outputs", 1, "total", "Their sum", "number")

    expect(page.locator("#preview-status")).to_have_text("Ready to deploy")
    preview = page.locator("#package-preview")
    expect(preview).to_contain_text('"callable": "apps.processes.examples:scale"')
    expect(preview).to_contain_text('"id": "factor"')
    expect(preview).not_to_contain_text("scratch")
    page.click("#guided-deploy")


def test_a_guided_deployment_is_reviewed_published_and_run(
    asgi_server: str, dana: User, administrator: User, alice: User, page: Page
) -> None:
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))

    # given dana deploys a python application with the guided form
    sign_in(page, asgi_server, "dana")
    deploy_with_the_guided_form(page)
    expect(page).to_have_url(f"{asgi_server}/developer/apps/scale-demo/")
    expect(page.locator(".alert-success")).to_contain_text("Scale values is deployed.")
    expect(page.locator("#application-state [data-state]")).to_have_text("private")
    process = Process.objects.get(identifier="scale-demo")
    assert process.execution_unit == {"type": "python", "callable": "apps.processes.examples:scale"}
    assert set(process.description["inputs"]) == {"values", "factor"}

    # when she submits it for review
    page.click("[data-action=submit]")
    expect(page.locator(".alert-success")).to_contain_text("submitted for review")
    expect(page.locator("#application-state [data-state]")).to_have_text("submitted")
    sign_out(page)

    # and the administrator publishes it from the review queue
    sign_in(page, asgi_server, administrator.username)
    page.click("#mode-admin > a")
    page.click("#mode-admin >> text=Application review")
    page.click("#review-scale-demo >> text=Review")
    expect(page.locator("#review-kind")).to_have_text("new application")
    expect(page.locator("#review-checks [data-passed=false]")).to_have_count(0)
    page.click("#review-publish")
    expect(page.locator(".alert-success")).to_contain_text("Scale values is published")
    expect(page.locator("#review-scale-demo")).to_have_count(0)
    process.refresh_from_db()
    assert process.state == ProcessState.PUBLISHED
    sign_out(page)

    # then alice finds it among the processes and runs it
    sign_in(page, asgi_server, "alice")
    page.goto(f"{asgi_server}/ogcapi/processes?f=html")
    page.click("a:has-text('Scale values')")
    expect(page).to_have_url(f"{asgi_server}/ogcapi/processes/scale-demo?f=html")
    page.fill("#input-values-0", "1.5")
    page.click("#input-values-add")
    page.fill("#input-values-1", "2.5")
    page.fill("#input-factor", "3")
    page.click("#execute-submit")

    # and sees the job finish with the total of the scaled values
    expect(page).to_have_url(re.compile(r"/ogcapi/jobs/[0-9a-f-]+\?f=html$"))
    expect(page.locator("#job-status")).to_have_text("successful", timeout=30_000)
    total = page.locator("#job-results li", has_text="total:")
    expect(total.locator("pre")).to_have_text("12")
    job = Job.objects.get(process_identifier="scale-demo")
    assert (job.owner, job.status, job.inputs) == (
        alice,
        JobStatus.SUCCESSFUL,
        {"values": [1.5, 2.5], "factor": 3},
    )
    assert script_errors == []
