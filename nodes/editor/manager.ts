/** tcp-connection-manager in the editor: its live connections, each with a traffic and a close button. */
import { MANAGER } from "../lib/schema";
import { nodeDefaults } from "./defaults";
import { openTraffic } from "./traffic-view";

const T = "tcp-connection-manager";

interface LiveConnection {
  id: string;
  remoteAddress: string;
  remotePort: number;
  localPort: number;
  ownerId: string;
  ownerName?: string;
  ownerType: string;
  connectedAt: number;
  bytesIn: number;
  bytesOut: number;
  traffic?: "on" | "budget" | "off";
}

function size(node: EditorNode, n: number): string {
  const u = (k: string, v: number | string): string => node._(`${T}.unit.${k}`, { n: v });
  if (n < 1024) return u("bytes", n);
  if (n < 1048576) return u("kib", (n / 1024).toFixed(1));
  return u("mib", (n / 1048576).toFixed(1));
}

function age(node: EditorNode, ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return node._(`${T}.unit.seconds`, { n: s });
  if (s < 3600) return node._(`${T}.unit.minutes`, { n: Math.floor(s / 60) });
  return node._(`${T}.unit.hours`, { h: Math.floor(s / 3600), m: Math.floor((s % 3600) / 60) });
}

function peer(c: LiveConnection): string {
  return `${c.remoteAddress.includes(":") ? `[${c.remoteAddress}]` : c.remoteAddress}:${c.remotePort}`;
}

/** The captures of closed connections the manager still keeps, each with a traffic button. */
function showClosed(node: EditorNode, list: JQuery, traffic: JQuery): void {
  $.getJSON(`${T}/${encodeURIComponent(node.id)}/traffic`).done(
    (data: { closed: ({ session: string; peer: string; closed: { reason: string } | null } | null)[] }) => {
      const closed = data.closed.filter((c) => c !== null);
      if (closed.length === 0) return;
      const box = $('<div class="tcpa-traffic-closed-list"/>').css({ "margin-top": "6px" }).appendTo(list);
      $("<div/>")
        .text(node._(`${T}.traffic.recent`))
        .css({ "font-weight": "bold" })
        .appendTo(box);
      for (const c of closed.reverse()) {
        const row = $("<div/>").appendTo(box);
        $('<button type="button" class="red-ui-button red-ui-button-small"/>')
          .text(node._(`${T}.label.traffic`))
          .css({ "margin-right": "6px" })
          .appendTo(row)
          .on("click", () => openTraffic(node, traffic, c.session, c.peer));
        $("<span/>")
          .text(`${c.peer} (${c.closed?.reason ?? ""})`)
          .appendTo(row);
      }
    },
  );
}

function showList(node: EditorNode, list: JQuery, traffic: JQuery): void {
  const t = (k: string): string => node._(`${T}.label.${k}`);
  const load = (): void => {
    $.getJSON(`${T}/${encodeURIComponent(node.id)}/connections`)
      .done((data: { now: number; connections: LiveConnection[] }) => {
        list.empty();
        showClosed(node, list, traffic);
        if (!data.connections.length) {
          list.append($("<div/>").css({ padding: "6px", "font-style": "italic" }).text(t("none")));
          return;
        }
        const table = $('<table class="red-ui-info-table"/>').appendTo(list);
        const head = $("<tr/>").appendTo(table);
        for (const k of ["peer", "localPort", "owner", "age", "bytesIn", "bytesOut", "", ""])
          $("<th/>")
            .text(k ? t(k) : "")
            .appendTo(head);
        for (const c of data.connections) {
          const owner = RED.nodes.node(c.ownerId);
          const tr = $("<tr/>").appendTo(table);
          const cells = [
            peer(c),
            String(c.localPort),
            c.ownerName || (owner && RED.utils.getNodeLabel(owner, owner.type)) || c.ownerType,
            age(node, data.now - c.connectedAt),
            size(node, c.bytesIn),
            size(node, c.bytesOut),
          ];
          for (const v of cells) $("<td/>").text(v).appendTo(tr);
          const open = $('<button type="button" class="red-ui-button red-ui-button-small tcpa-traffic-open"/>')
            .text(t("traffic"))
            .appendTo($("<td/>").appendTo(tr))
            .on("click", () => openTraffic(node, traffic, c.id, peer(c)));
          // Its node keeps no traffic (or the budget was used up): say so on the button; the view would say the same.
          if (c.traffic === "off" || c.traffic === "budget")
            open.addClass("disabled").attr("title", node._(`${T}.traffic.button-${c.traffic}`));
          $('<button type="button" class="red-ui-button red-ui-button-small"/>')
            .text(t("close"))
            .appendTo($("<td/>").appendTo(tr))
            .on("click", () => {
              $.post(`${T}/${encodeURIComponent(node.id)}/connections/${encodeURIComponent(c.id)}/close`).always(load);
            });
        }
      })
      .fail(() => {
        list.empty().append($("<div/>").css({ padding: "6px", "font-style": "italic" }).text(t("unsaved")));
      });
  };
  $("#node-config-tcpa-refresh").on("click", load);
  load();
}

/** The behaviour of manager nodes; the node HTML adds category, colour, ports and icon as literals (Flow Library scorecard). */
export function managerDefinition(): EditorDefinition {
  return {
    defaults: nodeDefaults(T, MANAGER),
    paletteLabel() {
      return this._(`${T}.paletteLabel`);
    },
    label() {
      return this.name || this._(`${T}.paletteLabel`);
    },
    oneditprepare() {
      showList(this, $("#node-config-tcpa-connections"), $("#node-config-tcpa-traffic"));
    },
  };
}
