// llmzero studio: the page's behaviour. Plain JavaScript, no libraries.
"use strict";

const boot = JSON.parse(document.getElementById("boot").textContent);
const $ = (id) => document.getElementById(id);
const PALETTE = ["#b3d9ff", "#ffd7a8", "#b8ecc0", "#f5b8c8", "#d7c8ff", "#fff0a0", "#a8ecec", "#ffc8a0"];
const VISIBLE = { " ": "·", "\n": "↵", "\t": "→", "\r": "␍" };
const KEY_STORE = "llmzero-api-key";  // sessionStorage: the key lives as long as the tab
const PANES = ["a", "b"];

const state = {
  lang: boot.lang,
  info: boot.info,    // the Generate tab's model (null until /api/info answers, behind an API key)
  models: [],         // [{name, instruction_tuned, context_length}] of every served model
  tab: "generate",
  promptTokens: [],   // [{id, token}] of the prompt, as the tokenizer cut it
  steps: [],          // one entry per generated token: the "token" events
  selected: -1,       // index into steps of the token whose bars are shown
  ids: [],            // prompt + generated ids (for the attention)
  status: ["status_ready", {}],
  attention: null,    // the last /api/attention answer
  controller: null,   // AbortController of the running generation
  chat: { messages: [], controller: null, status: null },
  compare: { controller: null, status: { a: null, b: null } },
};

// ---- language ------------------------------------------------------------------------------------------
function tr(key, vars = {}) {
  const pair = boot.texts[key];
  let text = pair ? pair[state.lang === "en" ? 1 : 0] : key;
  for (const [name, value] of Object.entries(vars)) text = text.replaceAll("{" + name + "}", value);
  return text;
}

function applyLang(lang) {
  state.lang = lang;
  document.documentElement.lang = lang === "en" ? "en" : "pt-BR";
  document.querySelectorAll("[data-i18n]").forEach((el) => { el.textContent = tr(el.dataset.i18n); });
  document.querySelectorAll("[data-i18n-placeholder]").forEach((el) => { el.placeholder = tr(el.dataset.i18nPlaceholder); });
  document.querySelectorAll("[data-pane-title]").forEach((el) => { el.textContent = tr("pane", { p: el.dataset.paneTitle }); });
  document.querySelectorAll(".lang button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === lang)));
  document.title = tr("title");
  const url = new URL(window.location.href);
  url.searchParams.set("lang", lang);
  history.replaceState(null, "", url);
  renderModelLine();
  renderStatus();
  renderChips();
  renderBars();
  renderAttentionNote();
  renderChat();
  renderChatNote();
  renderChatStatus();
  PANES.forEach(renderPaneStatus);
}

// ---- small helpers -------------------------------------------------------------------------------------
const visible = (text) => Array.from(text, (c) => VISIBLE[c] || c).join("");
const pct = (p) => (p * 100).toFixed(p >= 0.1 ? 1 : 2) + "%";

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

// ---- talking to the server -----------------------------------------------------------------------------
// Every call goes through call(): it adds the API key when the page has one, and on a 401 asks for it
// (once, whatever the number of calls waiting) and tries again.
let keyWaiter = null;

function askForKey(rejected) {
  if (keyWaiter) return keyWaiter;
  keyWaiter = new Promise((resolve) => {
    const form = $("key-form");
    form.hidden = false;
    $("key-wrong").hidden = !rejected;
    $("api-key").value = "";
    $("api-key").focus();
    const onSubmit = (event) => {
      event.preventDefault();
      const key = $("api-key").value.trim();
      if (!key) return;
      sessionStorage.setItem(KEY_STORE, key);
      form.hidden = true;
      form.removeEventListener("submit", onSubmit);
      keyWaiter = null;
      resolve();
    };
    form.addEventListener("submit", onSubmit);
  });
  return keyWaiter;
}

async function call(path, body, signal) {
  for (;;) {
    const key = sessionStorage.getItem(KEY_STORE);
    const headers = { "Content-Type": "application/json" };
    if (key) headers.Authorization = "Bearer " + key;
    const options = body === undefined
      ? { headers, signal }
      : { method: "POST", headers, body: JSON.stringify(body), signal };
    let response;
    try {
      response = await fetch(path, options);
    } catch (err) {
      if (err.name === "AbortError") throw err;
      throw new Error(tr("network_error"));
    }
    if (response.status !== 401) return response;
    await askForKey(key !== null);
  }
}

// The studio's routes answer {"error": "sentence"}; the API's (and the server's guard) {"error": {"message"}}.
async function errorOf(response) {
  const data = await response.json().catch(() => null);
  const error = data && data.error;
  if (typeof error === "string") return error;
  if (error && error.message) return error.message;
  return response.statusText || `HTTP ${response.status}`;
}

async function postJSON(path, body) {
  const response = await call(path, { ...body, lang: state.lang });
  if (!response.ok) throw new Error(await errorOf(response));
  return response.json();
}

async function getInfo(model) {
  const query = model ? "?model=" + encodeURIComponent(model) : "";
  const response = await call("/api/info" + query);
  if (!response.ok) throw new Error(await errorOf(response));
  return response.json();
}

// Server-Sent Events: calls onEvent(event name, data text) for every block of the stream.
async function readEvents(response, onEvent) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  const flush = (block) => {
    let event = "message";
    const data = [];
    for (const line of block.split("\n")) {
      if (line.startsWith("event:")) event = line.slice(6).trim();
      else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
    }
    if (data.length) onEvent(event, data.join("\n"));
  };
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    buffer += decoder.decode(value, { stream: true }).replaceAll("\r\n", "\n");
    let cut;
    while ((cut = buffer.indexOf("\n\n")) >= 0) {
      flush(buffer.slice(0, cut));
      buffer = buffer.slice(cut + 2);
    }
  }
  if (buffer.trim()) flush(buffer);
}

// ---- tabs and models -----------------------------------------------------------------------------------
function showTab(tab) {
  state.tab = tab;
  document.querySelectorAll(".tabs [role=tab]").forEach((b) => b.setAttribute("aria-selected", String(b.dataset.tab === tab)));
  document.querySelectorAll(".view").forEach((v) => { v.hidden = v.id !== "view-" + tab; });
  if (location.hash !== "#" + tab) history.replaceState(null, "", "#" + tab);
  if (tab === "generate") drawHeatmap();
}

const modelOf = (name) => state.models.find((m) => m.name === name);

function fillModelSelects() {
  const names = state.models.map((m) => m.name);
  const tuned = state.models.find((m) => m.instruction_tuned);
  const defaults = {
    "gen-model": state.info.name,
    "chat-model": tuned ? tuned.name : names[0],
    "cmp-model-a": names[0],
    "cmp-model-b": names[Math.min(1, names.length - 1)],
  };
  for (const [id, fallback] of Object.entries(defaults)) {
    const select = $(id);
    const keep = select.value;
    select.replaceChildren(...names.map((n) => new Option(n, n)));
    select.value = names.includes(keep) ? keep : fallback;
  }
  document.querySelectorAll(".model-pick").forEach((el) => { el.hidden = names.length < 2; });
  if (names.length < 2) {  // one model: the two panes differ by temperature (their defaults)
    return;
  }
  // Two models or more: the panes compare models, at the same temperature.
  for (const pane of PANES) $("cmp-temperature-" + pane).value = boot.defaults.temperature;
}

// The Generate tab's model: its shape sets the limits of the controls and the attention pickers.
function setInfo(info) {
  const first = state.models.length === 0;
  state.info = info;
  state.models = info.models;
  if (first) {
    fillModelSelects();
    setChatModel();
  }
  $("gen-model").value = info.name;
  const maxTokens = $("max_new_tokens");
  maxTokens.max = info.max_new_tokens;
  maxTokens.value = Math.min(Number(maxTokens.value) || 60, info.max_new_tokens);
  $("cmp-max-tokens").value = Math.min(Number($("cmp-max-tokens").value) || 60, info.max_new_tokens);
  $("top_k").max = info.vocab_size;
  fillPickers();
  renderModelLine();
  if ($("prompt").value) tokenizePrompt();
}

async function chooseGenerateModel() {
  showError("");
  try {
    setInfo(await getInfo($("gen-model").value));
    // What is shown belongs to the other model: clear it.
    Object.assign(state, { attention: null, steps: [], selected: -1, ids: [] });
    $("output").replaceChildren();
    renderBars();
    setStatus("status_ready");
    const canvas = $("heatmap");
    canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
    $("cell").textContent = "";
    renderAttentionNote();
  } catch (err) {
    showError(err.message);
  }
}

function renderModelLine() {
  const info = state.info;
  $("model-line").textContent = info ? tr("model_line", {
    name: info.name, layers: info.n_layer, heads: info.n_head, dim: info.n_embd,
    ctx: info.context_length, vocab: info.vocab_size,
  }) : "";
}

function setStatus(key, vars = {}) {
  state.status = [key, vars];
  renderStatus();
}

function renderStatus() {
  const [key, vars] = state.status;
  const shown = { ...vars };
  if (vars.why) shown.why = tr("why_" + vars.why);
  $("status").textContent = tr(key, shown);
}

// ---- the tokenizer view --------------------------------------------------------------------------------
let tokenizeTimer = null;

function scheduleTokenize() {
  clearTimeout(tokenizeTimer);
  tokenizeTimer = setTimeout(tokenizePrompt, 150);
}

async function tokenizePrompt() {
  if (!state.info) return;
  const text = $("prompt").value;
  try {
    const data = await postJSON("/api/tokenize", { text, model: state.info.name });
    state.promptTokens = data.ids.map((id, i) => ({ id, token: data.tokens[i] }));
    renderChips();
  } catch (err) {
    showError(err.message);
  }
}

function renderChips() {
  const box = $("chips");
  box.replaceChildren();
  state.promptTokens.forEach((t, i) => {
    const chip = document.createElement("span");
    chip.className = "chip";
    chip.style.background = PALETTE[i % PALETTE.length];
    chip.title = `id ${t.id}`;
    const text = document.createElement("span");
    text.className = "chip-text";
    text.textContent = visible(t.token);
    const id = document.createElement("span");
    id.className = "chip-id";
    id.textContent = t.id;
    chip.append(text, id);
    box.append(chip);
  });
  const n = state.promptTokens.length;
  const count = $("token-count");
  const ctx = state.info ? state.info.context_length : Infinity;
  count.textContent = n ? tr("tokens_count", { n }) + (state.info ? ` / ${ctx}` : "") : "";
  count.classList.toggle("over", n > ctx);
}

// ---- generation ----------------------------------------------------------------------------------------
function params() {
  const value = (id) => $(id).value.trim();
  return {
    prompt: $("prompt").value, temperature: value("temperature"), top_k: value("top_k"),
    top_p: value("top_p"), max_new_tokens: value("max_new_tokens"), seed: value("seed"), top_n: 10,
    model: state.info ? state.info.name : "",
  };
}

async function generate() {
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  showError("");
  let response;
  try {
    response = await call("/api/generate", { ...params(), lang: state.lang }, controller.signal);
  } catch (err) {
    if (err.name !== "AbortError") showError(err.message);
    if (state.controller === controller) state.controller = null;
    return;
  }
  if (!response.ok) {
    showError(await errorOf(response));
    if (state.controller === controller) state.controller = null;
    return;
  }
  $("generate").disabled = true;
  $("stop").disabled = false;
  setStatus("status_generating");
  try {
    await readEvents(response, handleEvent);
  } catch (err) {
    if (err.name === "AbortError") setStatus("status_done", { n: state.steps.length, speed: "–", why: "stopped" });
    else showError(tr("network_error"));
  } finally {
    $("generate").disabled = false;
    $("stop").disabled = true;
    if (state.controller === controller) state.controller = null;
  }
}

function handleEvent(event, data) {
  const payload = JSON.parse(data);
  if (event === "start") startOutput(payload);
  else if (event === "token") addToken(payload);
  else if (event === "done") finishOutput(payload);
  else if (event === "error") {
    showError(payload.error);
    setStatus("status_done", { n: state.steps.length, speed: "–", why: "error" });
  }
}

function startOutput(data) {
  state.steps = [];
  state.selected = -1;
  state.ids = data.ids.slice();
  state.attention = null;
  const canvas = $("heatmap");
  canvas.getContext("2d").clearRect(0, 0, canvas.width, canvas.height);
  renderAttentionNote();
  state.promptTokens = data.ids.map((id, i) => ({ id, token: data.tokens[i] }));
  renderChips();
  const out = $("output");
  out.replaceChildren();
  const prompt = document.createElement("span");
  prompt.className = "prompt-text";
  prompt.textContent = data.text;
  out.append(prompt);
  renderBars();
}

function addToken(step) {
  const index = state.steps.length;
  state.steps.push(step);
  state.ids.push(step.id);
  const span = document.createElement("span");
  span.className = "tok" + (step.eos ? " eos" : "");
  span.textContent = step.eos ? step.token : step.text;
  span.dataset.index = index;
  // The less probable the drawn token was, the warmer its underline.
  span.style.setProperty("--p", step.prob.toFixed(3));
  span.title = `${visible(step.token)}  p = ${pct(step.prob)}`;
  span.addEventListener("click", () => selectStep(index));
  $("output").append(span);
  selectStep(index);
}

function finishOutput(data) {
  if (data.rest) {
    const rest = document.createElement("span");
    rest.textContent = data.rest;
    $("output").append(rest);
  }
  state.ids = data.ids.slice();
  setStatus("status_done", { n: data.num_tokens, speed: data.tokens_per_second.toFixed(1), why: data.stopped_by });
  fetchAttention();
}

function selectStep(index) {
  state.selected = index;
  document.querySelectorAll("#output .tok").forEach((el) => el.classList.toggle("selected", Number(el.dataset.index) === index));
  renderBars();
  drawHeatmap();
}

// ---- the bars of one step ------------------------------------------------------------------------------
function renderBars() {
  const box = $("bars");
  box.replaceChildren();
  const step = state.steps[state.selected];
  if (!step) {
    $("bars-caption").textContent = tr("bars_empty");
    return;
  }
  $("bars-caption").textContent = tr("bars_for", { i: state.selected + 1, tok: `“${visible(step.token)}”`, p: pct(step.prob) });
  const top = step.top.length ? step.top[0].prob : 1;
  for (const entry of step.top) {
    const row = document.createElement("div");
    row.className = "bar-row" + (entry.id === step.id ? " chosen" : "");
    const label = document.createElement("span");
    label.className = "bar-label";
    label.textContent = visible(entry.token);
    label.title = `id ${entry.id}`;
    const track = document.createElement("span");
    track.className = "bar-track";
    const bar = document.createElement("span");
    bar.className = "bar";
    bar.style.width = `${Math.max(0.5, (100 * entry.prob) / top)}%`;
    track.append(bar);
    const value = document.createElement("span");
    value.className = "bar-value";
    value.textContent = pct(entry.prob);
    row.append(label, track, value);
    box.append(row);
  }
}

// ---- attention -----------------------------------------------------------------------------------------
function fillPickers() {
  for (const [id, n] of [["layer", state.info.n_layer], ["head", state.info.n_head]]) {
    const select = $(id);
    const keep = Number(select.value) || 0;
    select.replaceChildren();
    for (let i = 0; i < n; i++) select.append(new Option(String(i), String(i)));
    select.value = String(Math.min(keep, n - 1));
  }
}

async function fetchAttention() {
  if (!state.ids.length || !state.info) return;
  try {
    state.attention = await postJSON("/api/attention", {
      ids: state.ids, layer: Number($("layer").value), head: Number($("head").value), model: state.info.name,
    });
    renderAttentionNote();
    drawHeatmap();
  } catch (err) {
    showError(err.message);
  }
}

function renderAttentionNote() {
  const a = state.attention;
  const note = $("attention-note");
  if (!a) note.textContent = tr("attention_empty");
  else note.textContent = a.truncated ? tr("attention_cut", { n: a.ids.length }) : "";
}

const geometry = { cell: 0, left: 0, top: 0, n: 0 };

function drawHeatmap() {
  const a = state.attention;
  const canvas = $("heatmap");
  if (!a || state.tab !== "generate") return;
  const n = a.ids.length;
  const ctx = canvas.getContext("2d");
  const names = a.tokens.map((t) => visible(t).slice(0, 6));
  // Fit the panel: first a guess of the cell size, then the label margin it implies, then the final size.
  const room = Math.max(200, canvas.parentElement.clientWidth - 4);
  let cell = Math.max(3, Math.min(26, Math.floor((room - 40) / n)));
  const labels = cell >= 9;
  const fontSize = Math.min(13, cell - 1);
  ctx.font = `${fontSize}px ui-monospace, monospace`;
  const margin = labels ? Math.ceil(Math.max(...names.map((t) => ctx.measureText(t).width))) + 8 : 4;
  cell = Math.max(3, Math.min(26, Math.floor((room - margin) / n)));
  Object.assign(geometry, { cell, left: margin, top: margin, n });
  const size = margin + n * cell + 2;
  const ratio = window.devicePixelRatio || 1;
  canvas.width = size * ratio;
  canvas.height = size * ratio;
  canvas.style.width = size + "px";
  canvas.style.height = size + "px";
  ctx.scale(ratio, ratio);
  ctx.fillStyle = "#ffffff";
  ctx.fillRect(0, 0, size, size);
  for (let q = 0; q < n; q++) {
    for (let k = 0; k < n; k++) {
      const x = margin + k * cell;
      const y = margin + q * cell;
      if (k > q) {
        ctx.fillStyle = "#f1f1f4";  // the future: masked, never looked at
      } else {
        const w = Math.sqrt(a.matrix[q][k]);  // sqrt: small weights stay visible
        const shade = Math.round(255 * (1 - w));
        ctx.fillStyle = `rgb(${Math.round(shade * 0.85)}, ${Math.round(shade * 0.9)}, 255)`;
      }
      ctx.fillRect(x, y, cell, cell);
    }
  }
  // The row of the selected token, when it is on the map.
  const offset = state.ids.length - n;
  const row = state.selected >= 0 ? state.promptTokens.length + state.selected - offset : -1;
  if (row >= 0 && row < n) {
    ctx.strokeStyle = "#e4572e";
    ctx.lineWidth = 2;
    ctx.strokeRect(margin - 1, margin + row * cell - 1, n * cell + 2, cell + 2);
  }
  if (!labels) return;
  ctx.fillStyle = "#222";
  ctx.font = `${fontSize}px ui-monospace, monospace`;
  ctx.textBaseline = "middle";
  for (let i = 0; i < n; i++) {
    const text = names[i];
    ctx.textAlign = "right";
    ctx.fillText(text, margin - 4, margin + i * cell + cell / 2);
    ctx.save();
    ctx.translate(margin + i * cell + cell / 2, margin - 4);
    ctx.rotate(-Math.PI / 2);
    ctx.textAlign = "left";
    ctx.fillText(text, 0, 0);
    ctx.restore();
  }
}

function describeCell(event) {
  const a = state.attention;
  if (!a) return;
  const rect = $("heatmap").getBoundingClientRect();
  const k = Math.floor((event.clientX - rect.left - geometry.left) / geometry.cell);
  const q = Math.floor((event.clientY - rect.top - geometry.top) / geometry.cell);
  if (q < 0 || k < 0 || q >= geometry.n || k >= geometry.n) {
    $("cell").textContent = "";
    return;
  }
  $("cell").textContent = `“${visible(a.tokens[q])}” (${q}) → “${visible(a.tokens[k])}” (${k}): ${a.matrix[q][k].toFixed(3)}`;
}

// ---- chat ----------------------------------------------------------------------------------------------
// The conversation lives in the page; each message sends all of it, in OpenAI's shape, to
// /v1/chat/completions, and the reply streams in.
function setChatModel() {
  const model = modelOf($("chat-model").value);
  if (model) $("chat-max-tokens").max = model.context_length;
  renderChatNote();
}

function renderChatNote() {
  const model = modelOf($("chat-model").value);
  const note = $("chat-note");
  note.hidden = !model || model.instruction_tuned;
  note.textContent = model ? tr("chat_not_tuned", { name: model.name }) : "";
}

function renderChat() {
  const log = $("chat-log");
  log.replaceChildren();
  if (!state.chat.messages.length) {
    const hint = document.createElement("p");
    hint.className = "hint chat-empty";
    hint.textContent = tr("chat_empty");
    log.append(hint);
    return;
  }
  for (const message of state.chat.messages) {
    const box = document.createElement("div");
    box.className = `msg ${message.role}` + (message.pending ? " pending" : "");
    const who = document.createElement("span");
    who.className = "who";
    who.textContent = tr("role_" + message.role);
    const text = document.createElement("div");
    text.className = "content";
    text.textContent = message.content;
    box.append(who, text);
    log.append(box);
  }
  log.scrollTop = log.scrollHeight;
}

function setChatStatus(key, vars = {}) {
  state.chat.status = key ? [key, vars] : null;
  renderChatStatus();
}

function renderChatStatus() {
  const status = state.chat.status;
  if (!status) { $("chat-status").textContent = ""; return; }
  const [key, vars] = status;
  $("chat-status").textContent = tr(key, vars.why ? { ...vars, why: tr("why_" + vars.why) } : vars);
}

function setChatBusy(busy) {
  $("chat-send").disabled = busy;
  $("chat-stop").disabled = !busy;
}

async function sendChat() {
  const chat = state.chat;
  const text = $("chat-input").value.trim();
  if (!text || chat.controller) return;
  showError("");
  chat.messages.push({ role: "user", content: text });
  const history = chat.messages.map(({ role, content }) => ({ role, content }));
  const reply = { role: "assistant", content: "", pending: true };
  chat.messages.push(reply);
  $("chat-input").value = "";
  renderChat();
  const controller = new AbortController();
  chat.controller = controller;
  setChatBusy(true);
  setChatStatus("status_generating");
  const began = performance.now();
  let finish = null;
  const seconds = () => ((performance.now() - began) / 1000).toFixed(1);
  try {
    const body = { model: $("chat-model").value, messages: history, stream: true };
    const temperature = $("chat-temperature").value.trim();
    const maxTokens = $("chat-max-tokens").value.trim();
    if (temperature) body.temperature = Number(temperature);
    if (maxTokens) body.max_tokens = Number(maxTokens);
    const response = await call("/v1/chat/completions", body, controller.signal);
    if (!response.ok) {  // nothing was said: the message goes back to the input box
      const message = await errorOf(response);
      chat.messages.splice(-2, 2);
      $("chat-input").value = text;
      showError(message);
      setChatStatus(null);
      return;
    }
    await readEvents(response, (event, data) => {
      if (data === "[DONE]") return;
      const chunk = JSON.parse(data);
      if (chunk.error) throw new Error(chunk.error.message || String(chunk.error));
      const choice = chunk.choices && chunk.choices[0];
      if (!choice) return;
      if (choice.delta && choice.delta.content) {
        reply.content += choice.delta.content;
        const last = $("chat-log").lastElementChild;
        if (last) last.querySelector(".content").textContent = reply.content;
        $("chat-log").scrollTop = $("chat-log").scrollHeight;
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    });
    setChatStatus("chat_done", { s: seconds(), why: finish || "stop" });
  } catch (err) {
    if (err.name === "AbortError") setChatStatus("chat_done", { s: seconds(), why: "stopped" });
    else {
      showError(err.message);
      setChatStatus("chat_done", { s: seconds(), why: "error" });
    }
  } finally {
    reply.pending = false;
    if (chat.controller === controller) chat.controller = null;
    setChatBusy(false);
    renderChat();
  }
}

function newConversation() {
  if (state.chat.controller) state.chat.controller.abort();
  state.chat.messages = [];
  setChatStatus(null);
  showError("");
  renderChat();
  $("chat-input").focus();
}

// ---- side by side --------------------------------------------------------------------------------------
function setPaneStatus(pane, key, vars = {}) {
  state.compare.status[pane] = key ? [key, vars] : null;
  renderPaneStatus(pane);
}

function renderPaneStatus(pane) {
  const status = state.compare.status[pane];
  const box = $("cmp-status-" + pane);
  box.classList.toggle("error-text", Boolean(status && status[0] === "error"));
  if (!status) { box.textContent = ""; return; }
  const [key, vars] = status;
  if (key === "error") { box.textContent = vars.message; return; }
  box.textContent = tr(key, vars.why ? { ...vars, why: tr("why_" + vars.why) } : vars);
}

async function runPane(pane, prompt, signal) {
  const out = $("cmp-output-" + pane);
  out.replaceChildren();
  setPaneStatus(pane, "status_generating");
  let count = 0;
  try {
    const body = {
      prompt, model: $("cmp-model-" + pane).value, temperature: $("cmp-temperature-" + pane).value.trim(),
      max_new_tokens: $("cmp-max-tokens").value.trim(), seed: $("cmp-seed").value.trim(), top_n: 1,
      lang: state.lang,
    };
    const response = await call("/api/generate", body, signal);
    if (!response.ok) {
      setPaneStatus(pane, "error", { message: await errorOf(response) });
      return;
    }
    await readEvents(response, (event, data) => {
      const payload = JSON.parse(data);
      if (event === "start") {
        const shown = document.createElement("span");
        shown.className = "prompt-text";
        shown.textContent = payload.text;
        out.append(shown);
      } else if (event === "token") {
        count += 1;
        if (payload.text) out.append(document.createTextNode(payload.text));
      } else if (event === "done") {
        if (payload.rest) out.append(document.createTextNode(payload.rest));
        setPaneStatus(pane, "status_done", {
          n: payload.num_tokens, speed: payload.tokens_per_second.toFixed(1), why: payload.stopped_by,
        });
      } else if (event === "error") {
        setPaneStatus(pane, "error", { message: payload.error });
      }
    });
  } catch (err) {
    if (err.name === "AbortError") setPaneStatus(pane, "status_done", { n: count, speed: "–", why: "stopped" });
    else setPaneStatus(pane, "error", { message: err.message });
  }
}

async function compare() {
  const run = state.compare;
  if (run.controller) run.controller.abort();
  const controller = new AbortController();
  run.controller = controller;
  showError("");
  $("cmp-generate").disabled = true;
  $("cmp-stop").disabled = false;
  try {
    await Promise.all(PANES.map((pane) => runPane(pane, $("cmp-prompt").value, controller.signal)));
  } finally {
    if (run.controller === controller) {
      run.controller = null;
      $("cmp-generate").disabled = false;
      $("cmp-stop").disabled = true;
    }
  }
}

// ---- wiring --------------------------------------------------------------------------------------------
function init() {
  $("temperature-range").addEventListener("input", (e) => { $("temperature").value = e.target.value; });
  $("temperature").addEventListener("input", (e) => { $("temperature-range").value = e.target.value; });
  $("prompt").addEventListener("input", scheduleTokenize);
  $("prompt").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) generate(); });
  $("generate").addEventListener("click", generate);
  $("stop").addEventListener("click", () => state.controller && state.controller.abort());
  $("gen-model").addEventListener("change", chooseGenerateModel);
  document.querySelectorAll(".lang button").forEach((b) => b.addEventListener("click", () => applyLang(b.dataset.lang)));
  document.querySelectorAll(".tabs [role=tab]").forEach((b) => b.addEventListener("click", () => showTab(b.dataset.tab)));
  for (const id of ["layer", "head"]) $(id).addEventListener("change", fetchAttention);
  $("heatmap").addEventListener("mousemove", describeCell);
  let resizeTimer = null;
  window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(drawHeatmap, 100); });

  $("chat-send").addEventListener("click", sendChat);
  $("chat-stop").addEventListener("click", () => state.chat.controller && state.chat.controller.abort());
  $("chat-new").addEventListener("click", newConversation);
  $("chat-model").addEventListener("change", setChatModel);
  $("chat-input").addEventListener("keydown", (e) => {
    if (e.key === "Enter" && !e.shiftKey && !e.isComposing) { e.preventDefault(); sendChat(); }
  });

  $("cmp-generate").addEventListener("click", compare);
  $("cmp-stop").addEventListener("click", () => state.compare.controller && state.compare.controller.abort());
  $("cmp-prompt").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) compare(); });

  const tabFromHash = () => {
    const tab = location.hash.slice(1);
    showTab(["generate", "chat", "compare"].includes(tab) ? tab : "generate");
  };
  window.addEventListener("hashchange", tabFromHash);
  tabFromHash();
  applyLang(state.lang);
  if (state.info) setInfo(state.info);
  else getInfo("").then(setInfo).catch((err) => showError(err.message));  // behind an API key
}

init();
