"""The studio end to end in headless Chromium: type a prompt, generate, see the text, the bars and
the heatmap.

Needs Debian's chromium and chromium-driver (scripts/ci_browser_setup.sh) and the selenium package;
skipped when any of them is missing. Saves a screenshot to artifacts/studio.png.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import torch

from llmzero.checkpoint import save_checkpoint
from llmzero.datasets import corpus_text
from llmzero.model import GPT, GPTConfig
from llmzero.studio import make_server
from llmzero.tokenizers import CharTokenizer

REPO_ROOT = Path(__file__).resolve().parents[1]
CHROMIUM = next(
    (p for p in ("/usr/bin/chromium", shutil.which("chromium")) if p and Path(p).is_file()), None
)
DRIVER = next(
    (p for p in ("/usr/bin/chromedriver", shutil.which("chromedriver")) if p and Path(p).is_file()),
    None,
)
FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
    "--window-size=1500,1100",
    "--lang=pt-BR",
]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None or DRIVER is None,
    reason="chromium and chromedriver not installed (scripts/ci_browser_setup.sh)",
)

# Paints the heatmap's pixels that are neither white nor the grey of the masked future.
INKED_PIXELS = """
const c = document.getElementById('heatmap');
const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
let n = 0;
for (let i = 0; i < d.length; i += 4) if (d[i + 3] > 0 && d[i] < 200) n++;
return n;
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """A character GPT trained for a few seconds on the shipped corpus, so bars and attention have
    shape."""
    torch.manual_seed(0)
    text = corpus_text()[:20_000]
    tokenizer = CharTokenizer().train(text)
    config = GPTConfig(
        vocab_size=tokenizer.vocab_size, context_length=48, n_layer=2, n_head=4, n_embd=64
    )
    model = GPT(config)
    data = torch.tensor(tokenizer.encode(text))
    opt = torch.optim.AdamW(model.parameters(), lr=4e-3)
    for _ in range(100):
        starts = torch.randint(0, len(data) - 49, (16,))
        batch = torch.stack([data[s : s + 49] for s in starts.tolist()])
        loss = model(batch[:, :-1], batch[:, 1:]).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    folder = tmp_path_factory.mktemp("studio-browser") / "char-gpt"
    save_checkpoint(folder, model, tokenizer, {"model": config.to_dict()})
    server = make_server(folder, port=0)
    server.start_thread()
    yield server
    server.shutdown()
    server.server_close()


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    webdriver = pytest.importorskip("selenium.webdriver", reason="pip install selenium")
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for flag in FLAGS:
        options.add_argument(flag)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(executable_path=DRIVER), options=options)
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def test_studio_in_chromium(served, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver, wait = browser, WebDriverWait(browser, 30)
    find = lambda css: driver.find_elements(By.CSS_SELECTOR, css)  # noqa: E731
    driver.get(served.url + "?lang=pt")
    assert driver.find_element(By.ID, "generate").text == "Gerar"

    # The tokenizer view follows the prompt as it is typed: one chip per character.
    prompt = "A gravidade"
    driver.find_element(By.ID, "prompt").send_keys(prompt)
    wait.until(lambda d: len(find(".chip")) == len(prompt))
    assert [c.text.split("\n")[0] for c in find(".chip .chip-text")] == list(
        prompt.replace(" ", "·")
    )

    for field, value in (("max_new_tokens", "30"), ("seed", "7"), ("temperature", "0.7")):
        box = driver.find_element(By.ID, field)
        box.clear()
        box.send_keys(value)
    driver.find_element(By.ID, "generate").click()

    # Streamed text: the status line reports the end, one span per generated token.
    wait.until(lambda d: "tokens/s" in d.find_element(By.ID, "status").text)
    tokens = find("#output .tok")
    output = driver.find_element(By.ID, "output").text
    assert output.startswith(prompt) and len(output) > len(prompt)
    assert 1 <= len(tokens) <= 30

    # Bars of the last token, then of a token clicked on.
    assert len(find("#bars .bar-row")) == 10
    tokens[2].click()
    assert "Passo 3" in driver.find_element(By.ID, "bars-caption").text
    assert "selected" in tokens[2].get_attribute("class")
    assert len(find("#bars .bar-row.chosen")) <= 1

    # The heatmap is drawn (labels on, since the text is short) and redrawn for another layer and
    # head.
    wait.until(lambda d: d.execute_script(INKED_PIXELS) > 100)
    before = driver.execute_script("return document.getElementById('heatmap').toDataURL()")
    Select(driver.find_element(By.ID, "layer")).select_by_value("1")
    Select(driver.find_element(By.ID, "head")).select_by_value("2")
    wait.until(
        lambda d: (
            d.execute_script("return document.getElementById('heatmap').toDataURL()") != before
        )
    )
    assert driver.execute_script(INKED_PIXELS) > 100

    shot = REPO_ROOT / "artifacts" / "studio.png"
    shot.parent.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 10_000

    # The language toggle rewrites the page; a bad request shows its message in the page.
    driver.find_element(By.ID, "lang-en").click()
    assert driver.find_element(By.ID, "generate").text == "Generate"
    assert "lang=en" in driver.current_url
    driver.find_element(By.ID, "prompt").clear()
    driver.find_element(By.ID, "generate").click()
    error = driver.find_element(By.ID, "error")
    wait.until(lambda d: error.is_displayed())
    assert "prompt is empty" in error.text
    box = driver.find_element(By.ID, "max_new_tokens")
    box.clear()
    box.send_keys("5000")
    driver.find_element(By.ID, "prompt").send_keys("A")
    driver.find_element(By.ID, "generate").click()
    wait.until(lambda d: "max_new_tokens" in error.text)

    # No script errors along the way (the 400 answers above are logged as failed loads, not script
    # errors).
    logs = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not [m for m in logs if "Failed to load resource" not in m], logs
