"""The studio end to end in headless Chromium: the Generate tab (text, bars, heatmap), the Chat tab
(a streamed, multi-turn conversation), the Side by side tab (two panes at once) and the API key
prompt.

Needs Debian's chromium and chromium-driver (scripts/ci_browser_setup.sh) and the selenium package;
skipped when any of them is missing. Saves a screenshot of each tab to artifacts/.
"""

from __future__ import annotations

import shutil
from contextlib import contextmanager
from pathlib import Path

import pytest
import torch

from llmzero.checkpoint import save_checkpoint
from llmzero.datasets import corpus_text
from llmzero.model import GPT, GPTConfig
from llmzero.serve import Server, create_app, make_app
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

# Keeps a copy of every JSON body the page sends to ``path``, in window.sent.
RECORD_BODIES = """
const path = arguments[0];
window.sent = [];
const original = window.fetch;
window.fetch = (url, options) => {
  if (String(url).startsWith(path) && options && options.body) {
    window.sent.push(JSON.parse(options.body));
  }
  return original(url, options);
};
"""

# What a "chat model" says: a few characters, with these logits, and never the end of text.
CHATTY = {"o": 3.0, "l": 2.5, "á": 2.0, " ": 2.0, "e": 1.5, "!": 1.0}


@pytest.fixture(scope="module")
def folders(tmp_path_factory):
    """A character GPT trained for a few seconds on the shipped corpus, so bars and attention have
    shape; and a "chat" model (a chat template in its checkpoint) that always answers with a few
    characters of CHATTY, never ending early."""
    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("studio-browser")
    text = corpus_text()[:20_000]
    tokenizer = CharTokenizer().train(text + "".join(CHATTY))
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
    save_checkpoint(root / "char-gpt", model, tokenizer, {"model": config.to_dict()})

    config = GPTConfig(
        vocab_size=tokenizer.vocab_size, context_length=256, n_layer=2, n_head=2, n_embd=32
    )
    chat = GPT(config)
    with torch.no_grad():  # every hidden state is all ones: the logits are the rows' sums
        chat.ln_f.weight.zero_()
        chat.ln_f.bias.fill_(1.0)
        chat.lm_head.weight.fill_(-10.0 / config.n_embd)
        for char, logit in CHATTY.items():
            chat.lm_head.weight[tokenizer.encode(char)[0]] = logit / config.n_embd
    meta = {"model": config.to_dict(), "template": "chat"}
    save_checkpoint(root / "talk", chat, tokenizer, meta)
    return root / "char-gpt", root / "talk"


@pytest.fixture(scope="module")
def served(folders):
    server = Server(make_app([str(f) for f in folders])).start()
    yield server
    server.stop()


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


def screenshot(driver, name: str) -> None:
    shot = REPO_ROOT / "artifacts" / name
    shot.parent.mkdir(exist_ok=True)
    assert driver.save_screenshot(str(shot)) and shot.stat().st_size > 10_000


def no_script_errors(driver) -> None:
    """No script errors (refused requests are logged as failed loads, not script errors)."""
    logs = [e["message"] for e in driver.get_log("browser") if e["level"] == "SEVERE"]
    assert not [m for m in logs if "Failed to load resource" not in m], logs


def test_studio_in_chromium(served, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver, wait = browser, WebDriverWait(browser, 30)
    find = lambda css: driver.find_elements(By.CSS_SELECTOR, css)  # noqa: E731
    driver.get(served.url + "?lang=pt")
    assert driver.find_element(By.ID, "generate").text == "Gerar"
    assert driver.find_element(By.ID, "view-generate").is_displayed()
    assert not driver.find_element(By.ID, "view-chat").is_displayed()
    # Two models are served: the Generate tab can pick one; the first is the default.
    picker = Select(driver.find_element(By.ID, "gen-model"))
    assert [o.text for o in picker.options] == ["char-gpt", "talk"]
    assert picker.first_selected_option.text == "char-gpt"
    assert "char-gpt" in driver.find_element(By.ID, "model-line").text

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
    assert 3 <= len(tokens) <= 30

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
    screenshot(driver, "studio.png")

    # Another model: its shape sets the attention pickers (2 heads for "talk").
    picker.select_by_value("talk")
    wait.until(lambda d: "talk" in d.find_element(By.ID, "model-line").text)
    assert len(Select(driver.find_element(By.ID, "head")).options) == 2
    assert not find("#output .tok") and not find("#bars .bar-row")  # the other model's, cleared
    picker.select_by_value("char-gpt")
    wait.until(lambda d: len(Select(d.find_element(By.ID, "head")).options) == 4)

    # The language toggle rewrites the page; a bad request shows its message in the page.
    driver.find_element(By.ID, "lang-en").click()
    assert driver.find_element(By.ID, "generate").text == "Generate"
    assert driver.find_element(By.ID, "tab-compare").text == "Side by side"
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
    no_script_errors(driver)


def test_chat_in_chromium(served, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver, wait = browser, WebDriverWait(browser, 30)
    find = lambda css: driver.find_elements(By.CSS_SELECTOR, css)  # noqa: E731
    driver.get(served.url + "?lang=en")
    driver.find_element(By.ID, "tab-chat").click()
    assert driver.find_element(By.ID, "view-chat").is_displayed()
    assert not driver.find_element(By.ID, "view-generate").is_displayed()
    assert driver.current_url.endswith("#chat")

    # The instruction-tuned model is picked by default; a base model gets a note.
    picker = Select(driver.find_element(By.ID, "chat-model"))
    assert picker.first_selected_option.text == "talk"
    note = driver.find_element(By.ID, "chat-note")
    assert not note.is_displayed()
    picker.select_by_value("char-gpt")
    assert note.is_displayed() and "not instruction-tuned" in note.text
    picker.select_by_value("talk")
    assert not note.is_displayed()
    assert "Write a message to start" in driver.find_element(By.ID, "chat-log").text

    driver.execute_script(RECORD_BODIES, "/v1/chat/completions")
    box = driver.find_element(By.ID, "chat-max-tokens")
    box.clear()
    box.send_keys("12")
    contents = (
        "return [...document.querySelectorAll('#chat-log .msg .content')].map(e => e.textContent)"
    )

    def replied(n):
        return lambda d: len(find("#chat-log .msg")) == n and not find("#chat-log .msg.pending")

    # First turn: the reply streams into the conversation.
    driver.find_element(By.ID, "chat-input").send_keys("olá")
    driver.find_element(By.ID, "chat-send").click()
    wait.until(replied(2))
    first = driver.execute_script(contents)
    assert first[0] == "olá" and first[1] and set(first[1]) <= set(CHATTY)
    assert [e.get_attribute("class") for e in find("#chat-log .msg")] == [
        "msg user",
        "msg assistant",
    ]
    assert "stopped by: token limit" in driver.find_element(By.ID, "chat-status").text
    assert driver.find_element(By.ID, "chat-input").get_attribute("value") == ""

    # Second turn (Enter sends): the request carries the whole conversation.
    driver.find_element(By.ID, "chat-input").send_keys("e você?" + Keys.ENTER)
    wait.until(replied(4))
    shown = driver.execute_script(contents)
    assert shown[:3] == ["olá", first[1], "e você?"] and shown[3]
    sent = driver.execute_script("return window.sent")
    assert len(sent) == 2 and all(b["stream"] and b["model"] == "talk" for b in sent)
    assert sent[0]["messages"] == [{"role": "user", "content": "olá"}]
    assert sent[1]["messages"] == [
        {"role": "user", "content": "olá"},
        {"role": "assistant", "content": first[1]},
        {"role": "user", "content": "e você?"},
    ]
    assert sent[1]["max_tokens"] == 12
    screenshot(driver, "studio-chat.png")

    # A new conversation starts empty.
    driver.find_element(By.ID, "chat-new").click()
    assert not find("#chat-log .msg")
    assert "Write a message to start" in driver.find_element(By.ID, "chat-log").text
    no_script_errors(driver)


def test_side_by_side_in_chromium(served, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    driver, wait = browser, WebDriverWait(browser, 30)
    driver.get(served.url + "?lang=pt#compare")  # a new page (not only a new #): the tab it names
    assert driver.find_element(By.ID, "view-compare").is_displayed()
    assert driver.find_element(By.ID, "tab-compare").get_attribute("aria-selected") == "true"
    assert driver.find_element(By.CSS_SELECTOR, "#pane-b h2").text == "Painel B"
    driver.execute_script(RECORD_BODIES, "/api/generate")
    prompt = "A gravidade"
    driver.find_element(By.ID, "cmp-prompt").send_keys(prompt)
    box = driver.find_element(By.ID, "cmp-max-tokens")
    box.clear()
    box.send_keys("20")

    def run():
        driver.find_element(By.ID, "cmp-generate").click()
        for pane in "ab":
            wait.until(lambda d: "tokens/s" in d.find_element(By.ID, f"cmp-status-{pane}").text)
        return [driver.find_element(By.ID, f"cmp-output-{pane}").text for pane in "ab"]

    # Two models (the defaults when several are served), one prompt.
    a, b = run()
    assert a.startswith(prompt) and len(a) > len(prompt)
    assert b.startswith(prompt) and len(b) > len(prompt) and set(b[len(prompt) :]) <= set(CHATTY)
    sent = driver.execute_script("return window.sent")
    assert [(s["model"], s["prompt"]) for s in sent] == [("char-gpt", prompt), ("talk", prompt)]
    screenshot(driver, "studio-compare.png")

    # One model at two temperatures.
    Select(driver.find_element(By.ID, "cmp-model-b")).select_by_value("char-gpt")
    for pane, temperature in (("a", "0"), ("b", "1.5")):
        box = driver.find_element(By.ID, f"cmp-temperature-{pane}")
        box.clear()
        box.send_keys(temperature)
    a, b = run()
    assert a.startswith(prompt) and b.startswith(prompt)
    sent = driver.execute_script("return window.sent")[2:]
    assert [(s["model"], s["temperature"]) for s in sent] == [
        ("char-gpt", "0"),
        ("char-gpt", "1.5"),
    ]
    no_script_errors(driver)


@contextmanager
def keyed_server(pool, key):
    """The same models behind an API key; the pool stays open for the other tests."""
    server = Server(create_app(pool, api_key=key)).start()
    try:
        yield server
    finally:
        server.uvicorn.should_exit = True
        server.thread.join(15)


def test_the_page_asks_for_the_api_key_once(served, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait

    driver, wait = browser, WebDriverWait(browser, 30)
    with keyed_server(served.app.state.pool, "k3y-for-test") as server:
        driver.get(server.url + "?lang=en")
        form = driver.find_element(By.ID, "key-form")
        wait.until(lambda d: form.is_displayed())
        assert driver.find_element(By.ID, "model-line").text == ""
        wrong = driver.find_element(By.ID, "key-wrong")
        assert not wrong.is_displayed()
        driver.find_element(By.ID, "api-key").send_keys("not-the-key" + Keys.ENTER)
        wait.until(lambda d: wrong.is_displayed())  # refused again: asked again
        driver.find_element(By.ID, "api-key").send_keys("k3y-for-test" + Keys.ENTER)
        wait.until(lambda d: "char-gpt" in d.find_element(By.ID, "model-line").text)
        assert not form.is_displayed()
        stored = driver.execute_script("return sessionStorage.getItem('llmzero-api-key')")
        assert stored == "k3y-for-test"
        # Every later call carries the key: generation works without asking again.
        driver.find_element(By.ID, "prompt").send_keys("A")
        box = driver.find_element(By.ID, "max_new_tokens")
        box.clear()
        box.send_keys("5")
        driver.find_element(By.ID, "generate").click()
        wait.until(lambda d: "tokens/s" in d.find_element(By.ID, "status").text)
        assert not form.is_displayed()
        no_script_errors(driver)
