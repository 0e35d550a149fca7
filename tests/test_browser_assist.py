"""The assistant page shows only the message of the last action, in a real headless Chromium.

In the trial "Foto gemt (71 kB)" stayed under the next flip-over, which had no photo, and
under an edit. A new save, edit, cancel or group now clears what an earlier action said,
and a photo's late answer does not speak once the assistant has moved on.
"""

from __future__ import annotations

import asyncio

import pytest

from facilitator.qr import png_qr
from tests.test_browser_galleri import live, phone_page  # noqa: F401 - fixtures
from tests.test_participant_browser import CHROMIUM, playwright_api

expect = playwright_api.expect
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on this machine")


async def assist_page(browser, engine, server):  # noqa: ANN001, F811
    await engine.goto(2)  # Grupper på 4: drømme og ønsker
    page = await phone_page(
        browser, f"{server.participant_url}assist?token={engine.assistant_token}"
    )
    await expect(page.locator("#phase")).to_contain_text("drømme og ønsker", timeout=5000)
    return page


async def save(page, group: str, heading: str) -> None:  # noqa: ANN001
    await page.locator("#groups button", has_text=group).click()
    await page.fill("#heading", heading)
    await page.locator("#props input").nth(0).fill("Et forslag")
    await page.click("#save")


async def photograph(page, tmp_path) -> None:  # noqa: ANN001
    picture = tmp_path / "flipover.png"
    picture.write_bytes(png_qr("flip-over", scale=20))
    async with page.expect_file_chooser() as chooser:
        await page.click("#ok-photo")
    await (await chooser.value).set_files(str(picture))


async def test_the_photo_message_goes_with_the_next_save_and_an_edit(
    live,  # noqa: F811
    browser,  # noqa: F811
    tmp_path,
):
    engine, server = live
    page = await assist_page(browser, engine, server)
    photo_msg = page.locator("#photo-msg")

    await save(page, "2", "Bedre introduktion")
    await expect(page.locator("#ok")).to_have_text("Gemt – gruppe 2: Bedre introduktion")
    await photograph(page, tmp_path)
    await expect(photo_msg).to_contain_text("Foto gemt", timeout=10000)
    await expect(photo_msg).to_be_visible()

    # A new flip-over, without a photo: its save says only that it was saved.
    await page.fill("#heading", "Faste møder")
    await page.locator("#props input").nth(0).fill("Hver mandag")
    await page.click("#save")
    await expect(page.locator("#ok")).to_have_text("Gemt – gruppe 2: Faste møder")
    await expect(photo_msg).to_have_text("")
    await expect(photo_msg).to_be_hidden()

    # A photo again, then an edit: the photo's message goes as the edit starts.
    await photograph(page, tmp_path)
    await expect(photo_msg).to_contain_text("Foto gemt", timeout=10000)
    item = page.locator("#list > li").filter(has_text="Bedre introduktion")
    await item.locator("button", has_text="Ret").click()
    await expect(photo_msg).to_be_hidden()
    await expect(page.locator("#done")).to_be_hidden()
    await page.fill("#heading", "Bedre introduktion af nye")
    await page.click("#save")
    await expect(page.locator("#ok")).to_have_text("Rettet – gruppe 2: Bedre introduktion af nye")
    await expect(photo_msg).to_be_hidden()

    # A refused save's message goes when the group is changed (a new flip-over starts).
    await page.click("#save")  # empty heading
    await expect(page.locator("#msg")).to_have_text("Skriv en overskrift.")
    await page.locator("#groups button", has_text="3").click()
    await expect(page.locator("#msg")).to_be_hidden()

    # Cancelling an edit clears the edit's messages too.
    await item.locator("button", has_text="Ret").click()
    await page.fill("#heading", "")
    await page.click("#save")
    await expect(page.locator("#msg")).to_have_text("Skriv en overskrift.")
    await page.click("#cancel")
    await expect(page.locator("#msg")).to_be_hidden()


async def test_a_late_photo_answer_does_not_speak_under_the_next_flipover(
    live,  # noqa: F811
    browser,  # noqa: F811
    tmp_path,
):
    engine, server = live
    page = await assist_page(browser, engine, server)
    await save(page, "1", "Ro til opgaverne")
    await expect(page.locator("#ok")).to_have_text("Gemt – gruppe 1: Ro til opgaverne")

    held = asyncio.Event()
    release = asyncio.Event()

    async def hold(route):  # noqa: ANN001
        held.set()
        await release.wait()  # the laptop answers slowly
        await route.continue_()

    await page.route("**/api/flipovers/*/photo", hold)
    await photograph(page, tmp_path)
    await asyncio.wait_for(held.wait(), 10)
    await expect(page.locator("#photo-msg")).to_contain_text("Sender foto")
    await save(page, "3", "Fælles frokost")  # the assistant moves on meanwhile
    await expect(page.locator("#ok")).to_have_text("Gemt – gruppe 3: Fælles frokost")
    release.set()
    photo_id = next(f.id for f in engine.flipovers() if f.heading == "Ro til opgaverne")
    for _ in range(100):
        if engine.photo(photo_id):
            break
        await page.wait_for_timeout(50)
    await page.wait_for_timeout(300)  # the answer has reached the page
    await expect(page.locator("#photo-msg")).to_be_hidden()
    await expect(page.locator("#ok")).to_have_text("Gemt – gruppe 3: Fælles frokost")
