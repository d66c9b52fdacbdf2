// Validates Kubernetes manifests against Kubernetes' published API schema:
// kubernetes-models' validators, which are the OpenAPI definitions of the
// Kubernetes API compiled to ajv code. Every document of every file, by its
// apiVersion and kind; a kind without a schema there is a failure, never a
// pass. Then, as kubectl's --validate=strict has the API server do, every
// field must be one the schema names: the models' type declarations list
// each object's fields, so an unknown one (a typo such as
// terminationGracePeriodSecond) is refused too.
//
//   node validate.mjs FILE...      one line per document; exit 1 on any failure
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseAllDocuments } from "yaml";

const here = dirname(fileURLToPath(import.meta.url));
const models = join(here, "node_modules", "kubernetes-models");
const machinery = join(here, "node_modules", "@kubernetes-models",
  "apimachinery");

// "apps/v1" -> "apps/v1", "v1" -> "v1": the models' folders.
function modelFile(apiVersion, kind) {
  if (typeof apiVersion !== "string" || typeof kind !== "string" ||
      !/^[A-Za-z0-9.\/-]+$/.test(apiVersion) || !/^[A-Za-z0-9]+$/.test(kind))
    return null;
  const file = join(models, apiVersion, kind + ".js");
  return existsSync(file) ? file : null;
}

// The fields each declared interface has, and the interface each field
// holds (one object, a list of them, or a map of them), read from the
// .d.ts files: "name"?: IIoK8sApiCoreV1Probe; Array<...>; { [key]: ... }.
const ifaces = new Map();

function declFile(from, spec) {
  const base = spec.replace(/\.js$/, "") + ".d.ts";
  if (base.startsWith("@kubernetes-models/apimachinery/"))
    return join(machinery, base.slice("@kubernetes-models/apimachinery/"
      .length));
  return join(dirname(from), base);
}

function readDecl(file) {
  const text = readFileSync(file, "utf8");
  const imports = new Map();
  for (const m of text.matchAll(/import \{ ([^}]+) \} from "([^"]+)"/g))
    for (const name of m[1].split(",").map((s) => s.trim()))
      imports.set(name, declFile(file, m[2]));
  const m = text.match(/export interface (\w+)(?: extends [\w, ]+)? \{([\s\S]*?)\n\}/);
  if (!m) return null;
  const fields = new Map();
  for (const f of m[2].matchAll(/^ {4}"([^"]+)"\??: (.+?);?$/gm)) {
    const t = f[2];
    const ref = t.match(/(IIo\w+|I\w+)/);
    let kind = "plain";
    if (/^Array</.test(t)) kind = "list";
    else if (/^\{/.test(t)) kind = "map";
    else if (ref) kind = "object";
    fields.set(f[1], { kind, type: ref && imports.get(ref[1]) ? ref[1] : null,
      file: ref ? imports.get(ref[1]) : null });
  }
  return fields;
}

function fieldsOf(file) {
  if (!ifaces.has(file))
    ifaces.set(file, existsSync(file) ? readDecl(file) : null);
  return ifaces.get(file);
}

// Unknown fields under value, by the declaration in file; paths pushed.
function strict(value, file, path, out) {
  const fields = fieldsOf(file);
  if (!fields || value === null || typeof value !== "object" ||
      Array.isArray(value))
    return;
  for (const [key, v] of Object.entries(value)) {
    const f = fields.get(key);
    if (!f) {
      out.push(`${path}/${key}: unknown field`);
      continue;
    }
    if (!f.file || v === null) continue;
    if (f.kind === "object") strict(v, f.file, `${path}/${key}`, out);
    else if (f.kind === "list" && Array.isArray(v))
      v.forEach((x, i) => strict(x, f.file, `${path}/${key}/${i}`, out));
    else if (f.kind === "map" && typeof v === "object")
      for (const [k2, x] of Object.entries(v))
        strict(x, f.file, `${path}/${key}/${k2}`, out);
  }
}

async function check(file, index, doc) {
  const where = `${file}: document ${index}`;
  if (doc === null || doc === undefined) return true;  // empty: skipped
  const path = modelFile(doc.apiVersion, doc.kind);
  if (!path) {
    console.log(`FAIL ${where}: no schema for apiVersion ${doc.apiVersion}` +
      ` kind ${doc.kind}`);
    return false;
  }
  const mod = await import(path);
  const Model = mod[doc.kind];
  const name = `${doc.kind}/${doc.metadata && doc.metadata.name}`;
  try {
    new Model(doc).validate();
  } catch (e) {
    console.log(`FAIL ${where} (${name}): ${String(e.message).split("\n")
      .join("; ")}`);
    return false;
  }
  const unknown = [];
  strict(doc, path.replace(/\.js$/, ".d.ts"), "", unknown);
  if (unknown.length) {
    console.log(`FAIL ${where} (${name}): ${unknown.join("; ")}`);
    return false;
  }
  console.log(`ok   ${where} (${name}, ${doc.apiVersion})`);
  return true;
}

let ok = true;
for (const file of process.argv.slice(2)) {
  const docs = parseAllDocuments(readFileSync(file, "utf8"));
  let index = 0;
  for (const d of docs) {
    index++;
    if (d.errors.length) {
      console.log(`FAIL ${file}: document ${index}: ${d.errors[0].message
        .split("\n")[0]}`);
      ok = false;
      continue;
    }
    ok = (await check(file, index, d.toJS())) && ok;
  }
}
process.exit(ok ? 0 : 1);
