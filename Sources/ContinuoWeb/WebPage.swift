/// The page and its script, served as they are: no build step, no CDN. The script speaks the
/// control protocol over the WebSocket: the same JSON commands, replies and events as the Unix
/// socket, so every range and error code is the daemon's.
enum WebPage {
    static let html = """
    <!doctype html>
    <html lang="en">
    <head>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <title>Continuo</title>
    <style>
      :root { color-scheme: dark; --in: #4fc3f7; --out: #ffb74d; }
      body { margin: 0; font: 14px system-ui, sans-serif; background: #15171a; color: #e8e8e8; }
      header { display: flex; gap: .6em; align-items: center; padding: .5em .8em; background: #1f2226; flex-wrap: wrap; }
      header h1 { font-size: 1.1em; margin: 0 1em 0 0; }
      button, select { font: inherit; padding: .35em .8em; border-radius: .4em; border: 1px solid #444; background: #2a2e33; color: inherit; }
      button.big { padding: .6em 1.4em; font-weight: 600; }
      #keep { background: #2e7d32; } #panic { background: #b71c1c; }
      main { display: grid; grid-template-columns: minmax(0, 3fr) minmax(16em, 1fr); gap: .8em; padding: .8em; }
      canvas { width: 100%; height: 340px; background: #0d0f11; border-radius: .4em; display: block; }
      .legend span { margin-right: 1em; } .in { color: var(--in); } .out { color: var(--out); }
      #knobs label { display: block; margin: .45em 0 .1em; } #knobs input[type=range] { width: 100%; }
      #knobs .value { float: right; color: #aaa; }
      #stats, #kept, #card { background: #1f2226; border-radius: .4em; padding: .5em .8em; margin-top: .8em; }
      #card { white-space: pre-wrap; max-height: 14em; overflow: auto; font-size: 12px; }
      #message { color: #ef9a9a; min-height: 1.2em; }
      @media (max-width: 800px) { main { grid-template-columns: 1fr; } }
    </style>
    </head>
    <body>
    <header>
      <h1>Continuo</h1>
      <label>instance <select id="instance"></select></label>
      <label>preset <select id="preset"></select></label>
      <button id="pause">pause</button>
      <button id="panic" class="big">panic</button>
      <button id="keep" class="big">keep</button>
      <span id="connection">connecting…</span>
    </header>
    <main>
      <section>
        <canvas id="roll" width="1200" height="340"></canvas>
        <div class="legend"><span class="in">■ you: <b id="notes-in">0</b></span><span class="out">■ machine: <b id="notes-out">0</b></span><span id="tempo"></span></div>
        <div id="message"></div>
        <div id="stats">latency <span id="latency">–</span> · xruns <b id="xruns">0</b> <canvas id="histogram" width="600" height="60" style="height:60px"></canvas></div>
        <div id="kept"><b>Kept phrases</b><ul id="kept-list"></ul></div>
        <div id="card">model card…</div>
      </section>
      <section id="knobs"></section>
    </main>
    <script src="app.js"></script>
    </body>
    </html>
    """

    static let script = #"""
    "use strict";
    const query = new URLSearchParams(location.search);
    const token = query.get("token");
    const wsURL = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + "/ws" + (token ? "?token=" + encodeURIComponent(token) : "");
    const $ = (id) => document.getElementById(id);
    let socket, nextID = 1, instance = null, params = [];
    const pending = new Map();
    const notes = [];            // {pitch, dir, start, end}
    const sounding = new Map();  // dir:pitch -> note
    const counts = { in: 0, out: 0 };

    function send(cmd, fields = {}) {
      const id = nextID++;
      const request = Object.assign({ id, cmd }, fields);
      if (instance && instance !== "main") request.instance = instance;
      return new Promise((resolve) => {
        pending.set(id, resolve);
        if (socket && socket.readyState === 1) socket.send(JSON.stringify(request));
      });
    }
    function show(reply) { $("message").textContent = reply && reply.ok === false ? reply.error.code + ": " + reply.error.message : ""; return reply; }

    function connect() {
      socket = new WebSocket(wsURL);
      socket.onopen = async () => {
        $("connection").textContent = "connected";
        show(await send("subscribe", { topics: ["notes", "params", "mode", "xruns", "warnings", "listening"] }));
        refresh();
      };
      socket.onclose = () => { $("connection").textContent = "reconnecting…"; setTimeout(connect, 1000); };
      socket.onmessage = (message) => {
        let m; try { m = JSON.parse(message.data); } catch { return; }
        if (m.id !== undefined && pending.has(m.id)) { pending.get(m.id)(m); pending.delete(m.id); return; }
        if (m.event) onEvent(m);
      };
    }

    function onEvent(e) {
      if (instance && e.instance && e.instance !== instance) return;
      const now = performance.now();
      if (e.event === "note") {
        const key = e.dir + ":" + e.pitch;
        if (e.velocity > 0) {
          const note = { pitch: e.pitch, dir: e.dir, start: now, end: null };
          notes.push(note); sounding.set(key, note);
          counts[e.dir] += 1; $("notes-" + e.dir).textContent = counts[e.dir];
        } else if (sounding.has(key)) { sounding.get(key).end = now; sounding.delete(key); }
      } else if (e.event === "param") {
        setKnob(e.param, e.value);
      } else if (e.event === "xrun") {
        $("xruns").textContent = Number($("xruns").textContent) + (e.count || 1);
      } else if (e.event === "tempo") {
        $("tempo").textContent = "♩ " + e.bpm.toFixed(1) + (e.following ? " (following you)" : "");
      } else if (e.event === "mode") {
        $("pause").textContent = e.paused ? "resume" : "pause";
      }
    }

    function draw() {
      const c = $("roll"), g = c.getContext("2d"), now = performance.now(), span = 8000;
      g.fillStyle = "#0d0f11"; g.fillRect(0, 0, c.width, c.height);
      g.strokeStyle = "#1c2024";
      for (let p = 24; p <= 108; p += 12) { const y = c.height - (p - 21) / 88 * c.height; g.beginPath(); g.moveTo(0, y); g.lineTo(c.width, y); g.stroke(); }
      while (notes.length && (notes[0].end ?? now) < now - span) notes.shift();
      for (const n of notes) {
        const x0 = c.width * (1 - (now - n.start) / span), x1 = c.width * (1 - (now - (n.end ?? now)) / span);
        const y = c.height - (n.pitch - 21) / 88 * c.height;
        g.fillStyle = n.dir === "in" ? "#4fc3f7" : "#ffb74d";
        g.fillRect(x0, y - 3, Math.max(2, x1 - x0), 6);
      }
      requestAnimationFrame(draw);
    }

    function knobValue(p, input) {
      if (p.kind === "choice") return input.value;
      if (p.kind === "flag") return input.checked;
      return p.kind === "integer" ? parseInt(input.value, 10) : parseFloat(input.value);
    }
    function setKnob(name, value) {
      const input = $("knob-" + name); if (!input) return;
      if (input.type === "checkbox") input.checked = !!value; else input.value = value;
      const shown = $("value-" + name); if (shown) shown.textContent = typeof value === "number" ? +value.toFixed(2) : value;
    }
    function buildKnobs() {
      const box = $("knobs"); box.innerHTML = "";
      for (const p of params) {
        const label = document.createElement("label");
        label.title = p.summary;
        label.innerHTML = p.name.replace(/_/g, " ") + (p.unit ? " (" + p.unit + ")" : "") + ' <span class="value" id="value-' + p.name + '"></span>';
        let input;
        if (p.kind === "choice") {
          input = document.createElement("select");
          for (const c of p.choices) { const o = document.createElement("option"); o.value = o.textContent = c; input.appendChild(o); }
        } else if (p.kind === "flag") {
          input = document.createElement("input"); input.type = "checkbox";
        } else {
          input = document.createElement("input"); input.type = "range"; input.min = p.min; input.max = p.max;
          input.step = p.kind === "integer" ? 1 : (p.max - p.min) / 200;
        }
        input.id = "knob-" + p.name;
        input.addEventListener("change", async () => {
          const value = knobValue(p, input);
          $("value-" + p.name).textContent = value;
          show(await send("set", { param: p.name, value }));
        });
        input.addEventListener("input", () => { $("value-" + p.name).textContent = knobValue(p, input); });
        box.appendChild(label); box.appendChild(input);
      }
    }

    async function refresh() {
      const all = await send("get");
      if (all.ok) for (const [name, value] of Object.entries(all.result.params)) setKnob(name, value);
      const presets = await send("preset", { action: "list" });
      if (presets.ok) {
        const select = $("preset"); select.innerHTML = "";
        for (const name of presets.result.presets) { const o = document.createElement("option"); o.value = o.textContent = name; select.appendChild(o); }
      }
      const instances = await send("instance", { action: "list" });
      if (instances.ok) {
        const select = $("instance"); const chosen = instance || "main"; select.innerHTML = "";
        for (const i of instances.result.instances) { const o = document.createElement("option"); o.value = o.textContent = i.name; select.appendChild(o); }
        select.value = chosen;
        const me = instances.result.instances.find((i) => i.name === chosen);
        if (me) { $("preset").value = me.preset; $("pause").textContent = me.paused ? "resume" : "pause"; }
      }
      $("card").textContent = await (await fetch("card" + location.search)).text();
    }

    // One bar per power-of-two bin of response latency, labelled with its upper bound in ms.
    function drawHistogram(bins, rate) {
      const h = $("histogram"), g = h.getContext("2d"); g.clearRect(0, 0, h.width, h.height);
      h.dataset.answers = bins.reduce((sum, b) => sum + b[1], 0);
      if (!bins.length) return;
      const top = Math.max(1, ...bins.map((b) => b[1])), width = h.width / bins.length;
      g.font = "9px sans-serif"; g.textAlign = "center";
      bins.forEach(([upper, count], i) => {
        const height = count / top * (h.height - 12);
        g.fillStyle = "#ffb74d"; g.fillRect(i * width + 1, h.height - 12 - height, width - 2, height);
        g.fillStyle = "#999"; g.fillText("≤" + (upper / rate * 1000).toPrecision(2), i * width + width / 2, h.height - 2);
      });
    }

    async function poll() {
      const status = await send("status");
      if (status.ok) {
        const l = status.result.latency_frames, rate = (status.result.jack && status.result.jack.sample_rate) || 48000;
        $("latency").textContent = l ? "p50 " + (l.p50 / rate * 1000).toFixed(2) + " ms, p99 " + (l.p99 / rate * 1000).toFixed(2) + " ms, max " + (l.max / rate * 1000).toFixed(2) + " ms" : "–";
        $("xruns").textContent = status.result.counters.xruns;
        drawHistogram(l ? l.histogram : [], rate);
      }
      setTimeout(poll, 1000);
    }

    $("panic").onclick = async () => show(await send("panic"));
    $("pause").onclick = async () => { const resume = $("pause").textContent === "resume"; const r = show(await send(resume ? "resume" : "pause")); if (r.ok) $("pause").textContent = resume ? "pause" : "resume"; };
    $("preset").onchange = async () => { show(await send("preset", { action: "load", name: $("preset").value })); refresh(); };
    $("instance").onchange = () => { instance = $("instance").value; refresh(); };
    $("keep").onclick = async () => {
      const r = show(await send("capture", { bars: 4 }));
      if (!r.ok) return;
      const li = document.createElement("li"); li.className = "kept";
      li.innerHTML = '<span class="path"></span> <button class="like">like</button> <button class="dislike">dislike</button> <span class="rated"></span>';
      li.querySelector(".path").textContent = r.result.path + " (" + r.result.notes + " notes)";
      for (const rating of ["like", "dislike"]) {
        li.querySelector("." + rating).onclick = async () => {
          const answer = show(await send("rate", { path: r.result.path, rating }));
          if (answer.ok) li.querySelector(".rated").textContent = rating + "d → " + answer.result.kept;
        };
      }
      $("kept-list").appendChild(li);
    };

    fetch("params.json" + location.search).then((r) => r.json()).then((table) => { params = table; buildKnobs(); connect(); });
    requestAnimationFrame(draw);
    setTimeout(poll, 1000);
    """#
}
