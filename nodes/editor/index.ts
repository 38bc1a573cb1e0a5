/**
 * The editor side of the package, built into resources/editor-common.js with
 * lib/schema (which gives every node's defaults and validators). Each node's
 * HTML loads that script and calls TcpAutomation.register(<its type>).
 */
import { registerBridge } from "./bridge";
import { registerClient } from "./client";
import { registerManager } from "./manager";
import { registerSend } from "./send";
import { registerTrigger } from "./trigger";

const REGISTER: Readonly<Partial<Record<string, () => void>>> = {
  "tcp-server-trigger": registerTrigger,
  "send-to-tcp-port": registerSend,
  "tcp-server-client-bridge": registerBridge,
  "tcp-client-link": registerClient,
  "tcp-connection-manager": registerManager,
};

// Every node's HTML loads this script; the first one defines it.
if (!window.TcpAutomation) {
  window.TcpAutomation = {
    register(type: string): void {
      const register = REGISTER[type];
      if (!register) throw new Error(`no editor for ${type}`);
      register();
    },
  };
}
