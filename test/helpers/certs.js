// Certificates made at test time with openssl: a CA, a server certificate for
// localhost/127.0.0.1/::1, one for another name, a client certificate, and a
// second ("rogue") CA with a client certificate of its own.
"use strict";
const fs = require("fs");
const os = require("os");
const path = require("path");
const { execFileSync } = require("child_process");

let cached;

function openssl(args, cwd) {
  execFileSync("openssl", args, { cwd, stdio: ["ignore", "ignore", "pipe"] });
}

function ca(dir, name) {
  openssl(
    [
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
      "-keyout",
      `${name}.key`,
      "-out",
      `${name}.crt`,
    ],
    dir,
  );
}

function leaf(dir, name, caName, cn, san, usage) {
  const ext = path.join(dir, `${name}.ext`);
  fs.writeFileSync(ext, `subjectAltName=${san}\nextendedKeyUsage=${usage}\nbasicConstraints=CA:FALSE\n`);
  openssl(["req", "-newkey", "rsa:2048", "-nodes", "-subj", `/CN=${cn}`, "-keyout", `${name}.key`, "-out", `${name}.csr`], dir);
  openssl(
    [
      "x509",
      "-req",
      "-in",
      `${name}.csr`,
      "-CA",
      `${caName}.crt`,
      "-CAkey",
      `${caName}.key`,
      "-CAcreateserial",
      "-days",
      "2",
      "-extfile",
      ext,
      "-out",
      `${name}.crt`,
    ],
    dir,
  );
}

/** Paths of the PEM files (created once per test process). */
function certs() {
  if (cached) return cached;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tcpa-certs-"));
  ca(dir, "ca");
  ca(dir, "rogue-ca");
  leaf(dir, "server", "ca", "localhost", "DNS:localhost,IP:127.0.0.1,IP:::1", "serverAuth,clientAuth");
  leaf(dir, "other", "ca", "other.example", "DNS:other.example", "serverAuth");
  leaf(dir, "client", "ca", "plc-17", "DNS:plc-17", "clientAuth");
  leaf(dir, "rogue-client", "rogue-ca", "intruder", "DNS:intruder", "clientAuth");
  const f = (n) => path.join(dir, n);
  cached = {
    dir,
    ca: f("ca.crt"),
    rogueCa: f("rogue-ca.crt"),
    server: { cert: f("server.crt"), key: f("server.key") },
    other: { cert: f("other.crt"), key: f("other.key") },
    client: { cert: f("client.crt"), key: f("client.key") },
    rogueClient: { cert: f("rogue-client.crt"), key: f("rogue-client.key") },
    read: (p) => fs.readFileSync(p),
  };
  process.on("exit", () => fs.rmSync(dir, { recursive: true, force: true }));
  return cached;
}

/** A tls-config node as the editor saves it (file paths; "" for unused ones). */
function tlsConfigNode(id, { cert = "", key = "", ca = "", servername = "", verifyservercert = true } = {}) {
  return { id, type: "tls-config", name: "", cert, key, ca, certname: "", keyname: "", caname: "", servername, verifyservercert };
}

module.exports = { certs, tlsConfigNode };
