#!/usr/bin/env node
// SmartShop's own deployment policy, checked on rendered manifests (the
// output of `kubectl kustomize`). Every rule below has a bad fixture under
// fixtures/policy/bad/ that must trip it (deploy_check.sh policy-negative).
//
//   node policy.js FILE.yaml...   (all files together form one rendering)
// Exit status: 0 no violation, 1 violations (one line each), 2 bad input.
"use strict";

const fs = require("fs");
const YAML = require("yaml");

const RULES = {
  "probes": "long-running containers need a readinessProbe and a livenessProbe",
  "resources": "every container needs requests and limits for cpu and memory",
  "run-as-non-root": "runAsNonRoot: true and a runAsUser other than 0 (pod or container)",
  "privilege-escalation": "allowPrivilegeEscalation: false on every container",
  "read-only-root": "readOnlyRootFilesystem: true on every container",
  "capabilities": "capabilities must drop ALL and add none",
  "seccomp": "seccompProfile RuntimeDefault or Localhost (pod or container)",
  "host-access": "no privileged containers, hostNetwork, hostPID or hostIPC",
  "image-tag": "images need a tag other than latest, or a digest",
  "secret-object": "no Secret with data in the rendering: secrets are created out of band",
  "secret-env-literal": "no literal env value for a secret-like name (KEY, TOKEN, PASSWORD, SECRET)",
  "secret-in-config": "no ConfigMap entry with a secret-like name and a value",
  "url-credentials": "no URL with user:password@ anywhere",
  "grace-period": "terminationGracePeriodSeconds must exceed the drain timeout plus the preStop pause",
  "network-policy": "every workload's pods must be selected by a NetworkPolicy",
  "auth-off": "--insecure_no_auth (callers unauthenticated) only in a *-dev namespace",
};

const SECRET_NAME = /(KEY|TOKEN|PASSWORD|PASSWD|SECRET|CREDENTIAL)/i;
const URL_WITH_PASSWORD = /[a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:[^\s/@]+@/i;
const LONG_RUNNING = new Set(["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Pod"]);

// --- Helpers ----------------------------------------------------------------

function podTemplate(obj) {
  const spec = obj.spec || {};
  switch (obj.kind) {
    case "Pod":
      return { metadata: obj.metadata || {}, spec };
    case "Deployment": case "StatefulSet": case "DaemonSet": case "ReplicaSet": case "Job":
      return spec.template || { metadata: {}, spec: {} };
    case "CronJob":
      return ((spec.jobTemplate || {}).spec || {}).template || { metadata: {}, spec: {} };
    default:
      return null;
  }
}

function namespaceOf(obj) {
  return (obj.metadata || {}).namespace || "";
}

function nameOf(obj) {
  return `${obj.kind}/${(obj.metadata || {}).name || "?"}`;
}

// Go-style durations as the services take them: "20s", "1m30s", "500ms".
function durationSeconds(text) {
  const units = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, "µs": 1e-6, ns: 1e-9 };
  const s = String(text).trim();
  if (!/^(\d+(\.\d+)?(h|ms|m|s|us|µs|ns))+$/.test(s)) return null;
  let total = 0;
  for (const m of s.matchAll(/(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g)) {
    total += parseFloat(m[1]) * units[m[2]];
  }
  return total;
}

function preStopSeconds(container) {
  const preStop = (container.lifecycle || {}).preStop || {};
  if (preStop.sleep && Number.isFinite(preStop.sleep.seconds)) return preStop.sleep.seconds;
  const command = (preStop.exec || {}).command || [];
  const i = command.findIndex((word) => /(^|\/)sleep$/.test(word));
  if (i < 0 || i + 1 >= command.length) return 0;
  const arg = String(command[i + 1]);  // sleep takes "5" or "5s"
  return durationSeconds(/^\d+(\.\d+)?$/.test(arg) ? `${arg}s` : arg) || 0;
}

function selectorMatches(selector, labels) {
  if (!selector) return false;
  for (const [k, v] of Object.entries(selector.matchLabels || {})) {
    if (labels[k] !== v) return false;
  }
  for (const e of selector.matchExpressions || []) {
    const has = Object.prototype.hasOwnProperty.call(labels, e.key);
    const values = e.values || [];
    if (e.operator === "In" && !(has && values.includes(labels[e.key]))) return false;
    if (e.operator === "NotIn" && has && values.includes(labels[e.key])) return false;
    if (e.operator === "Exists" && !has) return false;
    if (e.operator === "DoesNotExist" && has) return false;
  }
  return true;
}

function walkStrings(value, visit, where = "") {
  if (typeof value === "string") {
    visit(value, where);
  } else if (Array.isArray(value)) {
    value.forEach((v, i) => walkStrings(v, visit, `${where}/${i}`));
  } else if (value && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) walkStrings(v, visit, `${where}/${k}`);
  }
}

// --- The checks ---------------------------------------------------------------

function check(objects) {
  const violations = [];
  const fail = (rule, obj, detail) => violations.push({ rule, where: nameOf(obj), detail });
  const configMaps = new Map(objects.filter((o) => o.kind === "ConfigMap")
    .map((o) => [`${namespaceOf(o)}/${(o.metadata || {}).name}`, o.data || {}]));
  const networkPolicies = objects.filter((o) => o.kind === "NetworkPolicy");

  for (const obj of objects) {
    // Secrets and literal values, in every object.
    if (obj.kind === "Secret") {
      const keys = [...Object.keys(obj.data || {}), ...Object.keys(obj.stringData || {})];
      if (keys.length > 0) fail("secret-object", obj, `holds ${keys.join(", ")}`);
    }
    if (obj.kind === "ConfigMap") {
      for (const [key, value] of Object.entries(obj.data || {})) {
        if (SECRET_NAME.test(key) && String(value) !== "") {
          fail("secret-in-config", obj, `${key} has a value`);
        }
      }
    }
    walkStrings(obj, (text, where) => {
      if (URL_WITH_PASSWORD.test(text)) fail("url-credentials", obj, `${where} holds a URL with a password`);
    });

    const template = podTemplate(obj);
    if (!template) continue;
    const pod = template.spec || {};
    const podSecurity = pod.securityContext || {};
    const labels = (template.metadata || {}).labels || {};
    const longRunning = LONG_RUNNING.has(obj.kind);

    if (pod.hostNetwork || pod.hostPID || pod.hostIPC) {
      fail("host-access", obj, "uses the host's network, PID or IPC namespace");
    }
    if (!networkPolicies.some((np) => namespaceOf(np) === namespaceOf(obj) &&
                                      selectorMatches((np.spec || {}).podSelector, labels))) {
      fail("network-policy", obj, "no NetworkPolicy selects its pods");
    }

    const grace = Number.isInteger(pod.terminationGracePeriodSeconds) ? pod.terminationGracePeriodSeconds : 30;
    const containers = [...(pod.initContainers || []), ...(pod.containers || [])];
    for (const c of containers) {
      const sc = c.securityContext || {};
      const isInit = (pod.initContainers || []).includes(c);
      const at = (detail) => `container ${c.name}: ${detail}`;

      if (longRunning && !isInit) {
        if (!c.readinessProbe) fail("probes", obj, at("no readinessProbe"));
        if (!c.livenessProbe) fail("probes", obj, at("no livenessProbe"));
      }
      const res = c.resources || {};
      for (const kind of ["requests", "limits"]) {
        for (const r of ["cpu", "memory"]) {
          if (!(res[kind] || {})[r]) fail("resources", obj, at(`no ${kind}.${r}`));
        }
      }
      const nonRoot = sc.runAsNonRoot !== undefined ? sc.runAsNonRoot : podSecurity.runAsNonRoot;
      const user = sc.runAsUser !== undefined ? sc.runAsUser : podSecurity.runAsUser;
      if (nonRoot !== true) fail("run-as-non-root", obj, at("runAsNonRoot is not true"));
      if (!Number.isInteger(user) || user === 0) fail("run-as-non-root", obj, at(`runAsUser is ${user === undefined ? "unset" : user}`));
      if (sc.allowPrivilegeEscalation !== false) fail("privilege-escalation", obj, at("allowPrivilegeEscalation is not false"));
      if (sc.readOnlyRootFilesystem !== true) fail("read-only-root", obj, at("readOnlyRootFilesystem is not true"));
      const caps = sc.capabilities || {};
      if (!(caps.drop || []).includes("ALL")) fail("capabilities", obj, at("does not drop ALL"));
      if ((caps.add || []).length > 0) fail("capabilities", obj, at(`adds ${caps.add.join(", ")}`));
      const seccomp = (sc.seccompProfile || podSecurity.seccompProfile || {}).type;
      if (seccomp !== "RuntimeDefault" && seccomp !== "Localhost") fail("seccomp", obj, at(`seccompProfile is ${seccomp || "unset"}`));
      if (sc.privileged === true) fail("host-access", obj, at("is privileged"));
      if ([...(c.command || []), ...(c.args || [])].some((a) => /^--insecure_no_auth\b/.test(String(a))) &&
          !/-dev$/.test(namespaceOf(obj))) {
        fail("auth-off", obj, at(`--insecure_no_auth in namespace ${namespaceOf(obj)}`));
      }

      const image = String(c.image || "");
      const lastPart = image.split("/").pop();
      if (!image.includes("@sha256:") && (!lastPart.includes(":") || lastPart.endsWith(":latest"))) {
        fail("image-tag", obj, at(`image ${image || "(none)"} has no fixed tag`));
      }

      // Environment: literal secrets, and the drain timeout it is given.
      const env = new Map();
      for (const ref of c.envFrom || []) {
        const name = (ref.configMapRef || {}).name;
        const data = configMaps.get(`${namespaceOf(obj)}/${name}`) || {};
        for (const [k, v] of Object.entries(data)) env.set((ref.prefix || "") + k, v);
      }
      for (const e of c.env || []) {
        if (e.value !== undefined) {
          env.set(e.name, e.value);
          if (SECRET_NAME.test(e.name) && String(e.value) !== "") {
            fail("secret-env-literal", obj, at(`env ${e.name} has a literal value`));
          }
        } else {
          env.delete(e.name);
        }
      }
      if (longRunning && !isInit) {
        for (const [k, v] of env) {
          if (!/_DRAIN_TIMEOUT$/.test(k)) continue;
          const drain = durationSeconds(v);
          const pause = preStopSeconds(c);
          if (drain === null) {
            fail("grace-period", obj, at(`${k}=${v} is not a duration`));
          } else if (grace <= drain + pause) {
            fail("grace-period", obj, at(`terminationGracePeriodSeconds ${grace} <= ${k} ${drain}s + preStop ${pause}s`));
          }
        }
      }
    }
  }
  return violations;
}

function main(files) {
  if (files.length === 0) {
    console.error("usage: node policy.js FILE.yaml...");
    return 2;
  }
  const objects = [];
  for (const file of files) {
    let docs;
    try {
      docs = YAML.parseAllDocuments(fs.readFileSync(file, "utf8"));
    } catch (e) {
      console.error(`${file}: ${e.message}`);
      return 2;
    }
    for (const d of docs) {
      if (d.errors.length > 0) {
        console.error(`${file}: ${d.errors[0].message}`);
        return 2;
      }
      const obj = d.toJS();
      if (obj && typeof obj === "object") objects.push(obj);
    }
  }
  const violations = check(objects);
  for (const v of violations) {
    console.log(`FAIL [${v.rule}] ${v.where}: ${v.detail} (${RULES[v.rule]})`);
  }
  console.log(`policy: ${objects.length} objects, ${violations.length} violations`);
  return violations.length === 0 ? 0 : 1;
}

process.exitCode = main(process.argv.slice(2));
