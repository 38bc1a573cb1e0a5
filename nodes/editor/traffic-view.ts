/**
 * The live traffic view of one connection, in the manager's dialog: polls the
 * traffic route every second and shows time, direction, hex and printable
 * text side by side, a mark where the node's framing ended each frame, and
 * the close reason at the end. Pause, a direction filter, a search, and
 * downloads (text2pcap, JSON). Every string from the capture goes in with
 * text(): the peer's bytes never become HTML.
 */
import { byteLines, clock, decodeBase64, matches, type TrafficJson } from "./traffic-rows";

const T = "tcp-connection-manager";
const POLL_MS = 1000;

/** Increases with every view opened, so the polling of an older view stops. */
let generation = 0;

function route(node: EditorNode, session: string): string {
  return `${T}/${encodeURIComponent(node.id)}/connections/${encodeURIComponent(session)}/traffic`;
}

/** Fetches with the editor's credentials (a plain link would not carry an admin token) and saves as a file. */
function download(node: EditorNode, session: string, format: "text2pcap" | "json"): void {
  $.ajax({ url: `${route(node, session)}?format=${format}`, dataType: "text" }).done((body: string) => {
    const blob = new Blob([body], { type: format === "json" ? "application/json" : "text/plain" });
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `traffic-${session}.${format === "json" ? "json" : "txt"}`;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  });
}

function button(label: string): JQuery {
  return $('<button type="button" class="red-ui-button red-ui-button-small"/>').text(label).css({ "margin-right": "4px" });
}

/** A frame end between two parts of a line. */
function mark(node: EditorNode): JQuery {
  return $('<span class="tcpa-frame-end"/>')
    .text("\u00b6")
    .attr("title", node._(`${T}.traffic.frame-end`))
    .css({ color: "#c00", "font-weight": "bold", padding: "0 2px" });
}

function partsCell(node: EditorNode, parts: string[]): JQuery {
  const td = $("<td/>").css({ "font-family": "monospace", "white-space": "pre" });
  parts.forEach((p, i) => {
    if (i > 0) td.append(mark(node));
    td.append($("<span/>").text(p));
  });
  return td;
}

/**
 * Replay the capture's client side against a port of this machine (the runtime's, loopback only), e.g. the
 * node's own port to run a flow again without the device. Needs tcp-connection-manager.write.
 */
function replayBar(node: EditorNode, panel: JQuery, session: string, t: (k: string, subs?: Record<string, unknown>) => string): JQuery {
  const bar = $('<div class="tcpa-traffic-replay"/>').css({ margin: "0 0 6px 0" }).appendTo(panel);
  const to = $('<input type="text" class="tcpa-traffic-replay-to"/>')
    .attr("placeholder", "127.0.0.1:7000")
    .css({ width: "140px", "margin-right": "4px" });
  const fast = $('<input type="checkbox" class="tcpa-traffic-replay-fast"/>').css({ width: "auto", margin: "0 4px 0 0" });
  const result = $('<span class="tcpa-traffic-replay-result"/>').css({ "margin-left": "6px", "font-style": "italic" });
  button(t("replay"))
    .appendTo(bar)
    .on("click", () => {
      result.text("…");
      const q = `to=${encodeURIComponent(String(to.val()))}${fast.prop("checked") ? "&fast=1" : ""}`;
      $.post(`${route(node, session)}/replay?${q}`)
        .done((r: { sent: number; received: number; short: boolean }) => {
          result.text(t(r.short ? "replay-short" : "replay-done", { sent: r.sent, received: r.received }));
        })
        .fail((xhr) => {
          const reply = xhr.responseJSON as { error?: unknown } | undefined;
          result.text(typeof reply?.error === "string" ? reply.error : t("unavailable"));
        });
    });
  bar.append(
    to,
    $("<label/>")
      .css({ width: "auto" })
      .append(fast, $("<span/>").text(t("fast"))),
    result,
  );
  return to;
}

interface Filters {
  paused: boolean;
  dir: string;
  query: string;
}

function render(node: EditorNode, body: JQuery, data: TrafficJson, f: Filters): void {
  const t = (k: string, subs?: Record<string, unknown>): string => node._(`${T}.traffic.${k}`, subs);
  body.empty();
  if (data.truncated) body.append($("<div/>").css({ "font-style": "italic", padding: "2px 0" }).text(t("truncated")));
  const table = $('<table class="red-ui-info-table tcpa-traffic-table"/>').appendTo(body);
  const head = $("<tr/>").appendTo(table);
  for (const k of ["time", "dir", "offset", "hex", "text"]) $("<th/>").text(t(k)).appendTo(head);
  let shown = 0;
  for (const c of data.chunks) {
    if (f.dir !== "all" && c.dir !== f.dir) continue;
    const bytes = decodeBase64(c.data);
    if (!matches(bytes, f.query)) continue;
    shown++;
    const lines = byteLines(bytes, c.off, c.dir === "in" ? data.frames : []);
    lines.forEach((line, i) => {
      const tr = $("<tr/>").addClass(`tcpa-traffic-${c.dir}`).appendTo(table);
      $("<td/>")
        .text(i === 0 ? clock(c.t) : "")
        .appendTo(tr);
      $("<td/>")
        .text(i === 0 ? t(c.dir) : "")
        .appendTo(tr);
      $("<td/>").text(String(line.off)).css({ "font-family": "monospace" }).appendTo(tr);
      partsCell(node, line.hex).appendTo(tr);
      partsCell(node, line.text).appendTo(tr);
    });
  }
  if (shown === 0) body.append($("<div/>").css({ "font-style": "italic", padding: "4px" }).text(t("none")));
  if (data.closed) {
    const why = data.closed.error
      ? t("closed-error", { reason: data.closed.reason, error: data.closed.error.message })
      : t("closed", { reason: data.closed.reason });
    body.append(
      $('<div class="tcpa-traffic-closed"/>')
        .css({ "font-weight": "bold", padding: "4px 0" })
        .text(`${clock(data.closed.t)} ${why}`),
    );
  }
}

/** Opens the view of one session in panel (replacing any view there). */
export function openTraffic(node: EditorNode, panel: JQuery, session: string, peer: string): void {
  const t = (k: string, subs?: Record<string, unknown>): string => node._(`${T}.traffic.${k}`, subs);
  const mine = ++generation;
  const f: Filters = { paused: false, dir: "all", query: "" };
  let last: TrafficJson | undefined;
  panel.empty().toggle(true);
  const bar = $('<div class="tcpa-traffic-bar"/>').css({ margin: "6px 0" }).appendTo(panel);
  $("<b/>").text(t("title", { peer })).css({ "margin-right": "8px" }).appendTo(bar);
  const pause = button(t("pause")).appendTo(bar);
  const dir = $('<select class="tcpa-traffic-dir"/>').css({ width: "auto", "margin-right": "4px" }).appendTo(bar);
  for (const d of ["all", "in", "out"]) $("<option/>").attr("value", d).text(t(d)).appendTo(dir);
  const search = $('<input type="text" class="tcpa-traffic-search"/>')
    .attr("placeholder", t("search"))
    .css({ width: "140px", "margin-right": "4px" })
    .appendTo(bar);
  button(t("download-text2pcap"))
    .appendTo(bar)
    .on("click", () => download(node, session, "text2pcap"));
  button(t("download-json"))
    .appendTo(bar)
    .on("click", () => download(node, session, "json"));
  button(t("hide"))
    .appendTo(bar)
    .on("click", () => {
      generation++;
      panel.empty().toggle(false);
    });
  const replayTo = replayBar(node, panel, session, t);
  const body = $('<div class="tcpa-traffic-body"/>').css({ "max-height": "320px", overflow: "auto" }).appendTo(panel);
  const redraw = (): void => {
    if (last) render(node, body, last, f);
  };
  pause.on("click", () => {
    f.paused = !f.paused;
    pause.text(t(f.paused ? "resume" : "pause"));
  });
  dir.on("change", () => {
    f.dir = String(dir.val());
    redraw();
  });
  search.on("input", () => {
    f.query = String(search.val());
    redraw();
  });

  const alive = (): boolean => mine === generation && document.body.contains(panel[0]);
  const poll = (): void => {
    if (!alive()) return;
    if (f.paused) {
      setTimeout(poll, POLL_MS);
      return;
    }
    $.getJSON(route(node, session))
      .done((data: TrafficJson) => {
        if (!alive()) return;
        const same =
          last && last.bytes.in === data.bytes.in && last.bytes.out === data.bytes.out && (last.closed === null) === (data.closed === null);
        last = data;
        // A peer connected to the node: replaying its side against the node's own port runs the flow again.
        if (String(replayTo.val()) === "" && data.direction === "in") replayTo.val(`127.0.0.1:${data.localPort}`);
        if (!same) redraw();
        if (data.closed === null) setTimeout(poll, POLL_MS);
      })
      .fail((xhr) => {
        if (!alive()) return;
        const reply = xhr.responseJSON as { error?: unknown } | undefined;
        body.empty().append(
          $('<div class="tcpa-traffic-error"/>')
            .css({ "font-style": "italic", padding: "4px" })
            .text(typeof reply?.error === "string" ? reply.error : t("unavailable")),
        );
      });
  };
  poll();
}
