// llmzero studio: the page's behaviour. Plain JavaScript, no libraries.
"use strict";

const boot = JSON.parse(document.getElementById("boot").textContent);
const info = boot.info;
const $ = (id) => document.getElementById(id);
const PALETTE = ["#b3d9ff", "#ffd7a8", "#b8ecc0", "#f5b8c8", "#d7c8ff", "#fff0a0", "#a8ecec", "#ffc8a0"];
const VISIBLE = { " ": "·", "\n": "↵", "\t": "→", "\r": "␍" };

const state = {
  lang: boot.lang,
  promptTokens: [],   // [{id, token}] of the prompt, as the tokenizer cut it
  steps: [],          // one entry per generated token: the "token" events
  selected: -1,       // index into steps of the token whose bars are shown
  ids: [],            // prompt + generated ids (for the attention)
  status: ["status_ready", {}],
  attention: null,    // the last /api/attention answer
  controller: null,   // AbortController of the running generation
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
  document.querySelectorAll(".lang button").forEach((b) => b.setAttribute("aria-pressed", String(b.dataset.lang === lang)));
  document.title = tr("title");
  const url = new URL(window.location.href);
  url.searchParams.set("lang", lang);
  history.replaceState(null, "", url);
  $("model-line").textContent = tr("model_line", {
    name: info.name, layers: info.n_layer, heads: info.n_head, dim: info.n_embd,
    ctx: info.context_length, vocab: info.vocab_size,
  });
  renderStatus();
  renderChips();
  renderBars();
  renderAttentionNote();
}

// ---- small helpers -------------------------------------------------------------------------------------
const visible = (text) => Array.from(text, (c) => VISIBLE[c] || c).join("");
const pct = (p) => (p * 100).toFixed(p >= 0.1 ? 1 : 2) + "%";

function showError(message) {
  const box = $("error");
  box.textContent = message;
  box.hidden = !message;
}

async function postJSON(path, body) {
  let response;
  try {
    response = await fetch(path, {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...body, lang: state.lang }),
    });
  } catch (err) {
    throw new Error(tr("network_error"));
  }
  const data = await response.json().catch(() => ({ error: response.statusText }));
  if (!response.ok) throw new Error(data.error || response.statusText);
  return data;
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
  const text = $("prompt").value;
  try {
    const data = await postJSON("/api/tokenize", { text });
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
  count.textContent = n ? tr("tokens_count", { n }) + ` / ${info.context_length}` : "";
  count.classList.toggle("over", n > info.context_length);
}

// ---- generation ----------------------------------------------------------------------------------------
function params() {
  const value = (id) => $(id).value.trim();
  return {
    prompt: $("prompt").value, temperature: value("temperature"), top_k: value("top_k"),
    top_p: value("top_p"), max_new_tokens: value("max_new_tokens"), seed: value("seed"), top_n: 10,
  };
}

async function generate() {
  if (state.controller) state.controller.abort();
  const controller = new AbortController();
  state.controller = controller;
  showError("");
  let response;
  try {
    response = await fetch("/api/generate", {
      method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ...params(), lang: state.lang }), signal: controller.signal,
    });
  } catch (err) {
    if (err.name !== "AbortError") showError(tr("network_error"));
    return;
  }
  if (!response.ok) {
    const data = await response.json().catch(() => ({ error: response.statusText }));
    showError(data.error || response.statusText);
    state.controller = null;
    return;
  }
  $("generate").disabled = true;
  $("stop").disabled = false;
  setStatus("status_generating");
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let cut;
      while ((cut = buffer.indexOf("\n\n")) >= 0) {
        handleEvent(buffer.slice(0, cut));
        buffer = buffer.slice(cut + 2);
      }
    }
  } catch (err) {
    if (err.name === "AbortError") setStatus("status_done", { n: state.steps.length, speed: "–", why: "stopped" });
    else showError(tr("network_error"));
  } finally {
    $("generate").disabled = false;
    $("stop").disabled = true;
    if (state.controller === controller) state.controller = null;
  }
}

function handleEvent(block) {
  let event = "message";
  let data = "";
  for (const line of block.split("\n")) {
    if (line.startsWith("event: ")) event = line.slice(7);
    else if (line.startsWith("data: ")) data += line.slice(6);
  }
  const payload = data ? JSON.parse(data) : {};
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
    const last = $("output").lastElementChild;
    if (last) last.textContent += data.rest;
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
  for (const [id, n] of [["layer", info.n_layer], ["head", info.n_head]]) {
    const select = $(id);
    for (let i = 0; i < n; i++) select.append(new Option(String(i), String(i)));
    select.addEventListener("change", fetchAttention);
  }
}

async function fetchAttention() {
  if (!state.ids.length) return;
  try {
    state.attention = await postJSON("/api/attention", {
      ids: state.ids, layer: Number($("layer").value), head: Number($("head").value),
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
  if (!a) return;
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

// ---- wiring --------------------------------------------------------------------------------------------
function init() {
  const maxTokens = $("max_new_tokens");
  maxTokens.max = info.max_new_tokens;
  maxTokens.value = Math.min(Number(maxTokens.value), info.max_new_tokens);
  $("top_k").max = info.vocab_size;
  $("temperature-range").addEventListener("input", (e) => { $("temperature").value = e.target.value; });
  $("temperature").addEventListener("input", (e) => { $("temperature-range").value = e.target.value; });
  $("prompt").addEventListener("input", scheduleTokenize);
  $("prompt").addEventListener("keydown", (e) => { if (e.key === "Enter" && (e.ctrlKey || e.metaKey)) generate(); });
  $("generate").addEventListener("click", generate);
  $("stop").addEventListener("click", () => state.controller && state.controller.abort());
  document.querySelectorAll(".lang button").forEach((b) => b.addEventListener("click", () => applyLang(b.dataset.lang)));
  $("heatmap").addEventListener("mousemove", describeCell);
  let resizeTimer = null;
  window.addEventListener("resize", () => { clearTimeout(resizeTimer); resizeTimer = setTimeout(drawHeatmap, 100); });
  fillPickers();
  applyLang(state.lang);
  if ($("prompt").value) tokenizePrompt();
}

init();
