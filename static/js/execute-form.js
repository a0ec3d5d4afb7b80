// Builds an execute form from an OGC process description and submits it as a job.
//
// The widget of an input follows its `clientHints` → `htmlInputType` when the description
// gives one (§17.2.4's additional parameters, in the list or the OGC 1.0 object form), and
// otherwise its JSON schema: enum → select, boolean → checkbox, number → number field,
// date/date-time/uri/email formats → the matching HTML inputs, files → a path or URL with the
// TEP-holdings list, bbox and polygons → a map. Inputs with maxOccurs > 1 get repeatable rows.
(function () {
  "use strict";

  const csrfToken = window.tep.csrfToken;
  const HTML_TYPES = ["text", "number", "range", "date", "datetime-local", "time", "email", "url",
    "color", "password", "checkbox", "textarea", "select", "radio", "file", "bbox", "polygon"];
  const HINT_ALIASES = { selectlist: "select", "select-list": "select", list: "select", datetime: "datetime-local",
    "date-time": "datetime-local", boolean: "checkbox", map: "bbox", geometry: "polygon", uri: "url" };

  // One group per role: a list of groups, one group, or one object whose parameters are
  // named by role and hold that role's parameters (several roles in an OGC 1.0 document).
  function hintGroups(input) {
    const parameters = input.additionalParameters;
    if (!parameters) return [];
    if (Array.isArray(parameters)) return parameters;
    if (parameters.role) return [parameters];
    return (parameters.parameters || []).map((byRole) => ({ role: byRole.name, parameters: byRole.value }));
  }

  function clientHint(input, name) {
    for (const group of hintGroups(input)) {
      if (!group || !/^clientHints?$/.test(group.role || "")) continue;
      for (const parameter of group.parameters || []) {
        if (parameter.name !== name) continue;
        const value = parameter.value !== undefined ? parameter.value : parameter.values;
        return Array.isArray(value) ? value[0] : value;
      }
    }
    return undefined;
  }

  function isFile(schema) {
    return schema.type === "string" && (schema.contentEncoding === "binary" || schema.contentMediaType);
  }

  function isGeometry(schema) {
    const types = schema.properties && schema.properties.type && schema.properties.type.enum;
    return Array.isArray(types) && types.includes("Polygon");
  }

  function isBbox(schema) {
    return schema.format === "ogc-bbox" || (schema.properties && schema.properties.bbox);
  }

  function isRepeated(input) {
    return input.maxOccurs === "unbounded" || Number(input.maxOccurs) > 1;
  }

  // The widget kind for one value of the input.
  function kindOf(input, schema) {
    const hinted = clientHint(input, "htmlInputType");
    if (typeof hinted === "string") {
      const kind = HINT_ALIASES[hinted.toLowerCase()] || hinted.toLowerCase();
      if (HTML_TYPES.includes(kind)) return kind;
    }
    if (Array.isArray(schema.enum)) return "select";
    if (schema.type === "boolean") return "checkbox";
    if (schema.type === "number" || schema.type === "integer") return "number";
    if (isFile(schema)) return "file";
    if (isBbox(schema)) return "bbox";
    if (isGeometry(schema)) return "polygon";
    if (schema.type === "string") {
      return { date: "date", "date-time": "datetime-local", time: "time", email: "email",
        uri: "url", url: "url", password: "password" }[schema.format] || "text";
    }
    return "json";
  }

  function optionsFor(schema) {
    const values = Array.isArray(schema.enum) ? schema.enum : [];
    return values.map(function (value) { return { value: JSON.stringify(value), label: String(value) }; });
  }

  function withNumberLimits(field, schema) {
    field.step = schema.type === "integer" ? "1" : "any";
    if (schema.minimum !== undefined) field.min = schema.minimum;
    if (schema.maximum !== undefined) field.max = schema.maximum;
  }

  function makeField(kind, schema, name) {
    let field;
    if (kind === "select") {
      field = document.createElement("select");
      field.className = "form-select";
      optionsFor(schema).forEach(function (choice) {
        const option = document.createElement("option");
        option.value = choice.value;
        option.textContent = choice.label;
        field.appendChild(option);
      });
      if (schema.default !== undefined) field.value = JSON.stringify(schema.default);
    } else if (kind === "radio") {
      field = document.createElement("div");
      field.setAttribute("role", "radiogroup");
      optionsFor(schema).forEach(function (choice, index) {
        const label = document.createElement("label");
        label.className = "form-check form-check-inline";
        const radio = document.createElement("input");
        radio.type = "radio";
        radio.className = "form-check-input";
        radio.name = name + "-choice";
        radio.value = choice.value;
        radio.checked = schema.default !== undefined ? choice.value === JSON.stringify(schema.default) : index === 0;
        label.append(radio, " " + choice.label);
        field.appendChild(label);
      });
    } else if (kind === "checkbox") {
      field = document.createElement("input");
      field.type = "checkbox";
      field.className = "form-check-input ms-2";
      field.checked = schema.default === true;
    } else if (kind === "textarea" || kind === "json") {
      field = document.createElement("textarea");
      field.className = "form-control" + (kind === "json" ? " font-monospace" : "");
      field.rows = 4;
      if (kind === "json") field.placeholder = "JSON";
      else if (schema.default !== undefined) field.value = schema.default;
    } else {
      field = document.createElement("input");
      field.className = kind === "range" ? "form-range" : kind === "color" ? "form-control form-control-color" : "form-control";
      if (kind === "file") {
        field.type = "text";
        field.placeholder = "workspace/…, holdings/… or https://…";
        field.setAttribute("list", "holdings-files");
      } else if (kind === "bbox") {
        field.type = "text";
        field.placeholder = "west, south, east, north";
      } else if (kind === "polygon") {
        field.type = "text";
        field.placeholder = "GeoJSON polygon";
      } else {
        field.type = kind;
      }
      if (kind === "number" || kind === "range") withNumberLimits(field, schema);
      if (schema.default !== undefined && !["file", "bbox", "polygon"].includes(kind)) {
        field.value = typeof schema.default === "string" ? schema.default : JSON.stringify(schema.default);
      }
    }
    field.setAttribute("name", name);
    field.dataset.kind = kind;
    field.dataset.schemaType = schema.type || "";
    if (kind === "bbox" || kind === "polygon") field.dataset.picker = kind;
    return field;
  }

  function attachPicker(field) {
    if (window.tepAreaPicker && field.dataset.picker) window.tepAreaPicker.attach(field, field.dataset.picker);
  }

  function repeatedRow(kind, schema, id, rows, removable) {
    const row = document.createElement("div");
    row.className = "d-flex gap-2 align-items-start mb-2 repeated-value";
    const field = makeField(kind, schema, id);
    field.id = "input-" + id + "-" + rows.children.length;
    field.dataset.multiple = "true";
    row.appendChild(field);
    if (removable) {
      const remove = document.createElement("button");
      remove.type = "button";
      remove.className = "btn btn-outline-secondary btn-sm";
      remove.setAttribute("aria-label", "Remove this value");
      remove.innerHTML = '<i class="bi bi-x"></i>';
      remove.addEventListener("click", function () { row.remove(); });
      row.appendChild(remove);
    }
    rows.appendChild(row);
    attachPicker(field);
    return field;
  }

  function widgetFor(id, input) {
    const schema = input.schema || {};
    const wrapper = document.createElement("div");
    wrapper.className = "mb-3";
    const label = document.createElement("label");
    label.className = "form-label fw-semibold";
    label.htmlFor = "input-" + id;
    label.textContent = (input.title || id) + (input.minOccurs === 0 ? " (optional)" : "");
    wrapper.appendChild(label);
    const repeated = isRepeated(input) || (schema.type === "array" && !(schema.items && schema.items.enum));
    if (repeated) {
      const itemSchema = schema.type === "array" ? schema.items || {} : schema;
      const kind = kindOf(input, itemSchema);
      const rows = document.createElement("div");
      rows.id = "input-" + id;
      rows.dataset.repeated = id;
      wrapper.appendChild(rows);
      repeatedRow(kind, itemSchema, id, rows, false).required = input.minOccurs !== 0;
      const more = document.createElement("button");
      more.type = "button";
      more.className = "btn btn-outline-secondary btn-sm";
      more.id = "input-" + id + "-add";
      more.innerHTML = '<i class="bi bi-plus"></i> Add another';
      more.addEventListener("click", function () { repeatedRow(kind, itemSchema, id, rows, true); });
      wrapper.appendChild(more);
    } else if (schema.type === "array") {
      const field = makeField("select", schema.items, id);
      field.multiple = true;
      field.dataset.kind = "select-many";
      field.id = "input-" + id;
      wrapper.appendChild(field);
    } else {
      const field = makeField(kindOf(input, schema), schema, id);
      field.id = "input-" + id;
      field.required = input.minOccurs !== 0 && schema.default === undefined && field.dataset.kind !== "checkbox";
      wrapper.appendChild(field);
    }
    if (input.description) {
      const help = document.createElement("div");
      help.className = "form-text";
      help.textContent = input.description;
      wrapper.appendChild(help);
    }
    return wrapper;
  }

  function numberOf(raw, schemaType) {
    return schemaType === "integer" ? parseInt(raw, 10) : parseFloat(raw);
  }

  // Text typed into a widget chosen by a client hint, read as the schema's type.
  function typedText(raw, schemaType) {
    if (schemaType === "number" || schemaType === "integer") return numberOf(raw, schemaType);
    if (schemaType === "object" || schemaType === "array") return JSON.parse(raw);
    return raw;
  }

  function valueOf(field) {
    const kind = field.dataset.kind;
    if (kind === "checkbox") return field.checked;
    if (kind === "select") return JSON.parse(field.value);
    if (kind === "select-many") {
      return Array.from(field.selectedOptions).map(function (option) { return JSON.parse(option.value); });
    }
    if (kind === "radio") {
      const chosen = field.querySelector("input:checked");
      return chosen ? JSON.parse(chosen.value) : undefined;
    }
    const raw = field.value.trim();
    if (raw === "") return undefined;
    switch (kind) {
      case "number":
      case "range": return numberOf(raw, field.dataset.schemaType);
      case "file": return { href: raw };
      case "bbox": return { bbox: raw.split(",").map(Number) };
      case "polygon":
      case "json": return JSON.parse(raw);
      case "datetime-local": return new Date(raw).toISOString();
      default: return typedText(raw, field.dataset.schemaType);
    }
  }

  function collectInputs(form) {
    const inputs = {};
    form.querySelectorAll("#execute-fields [name]").forEach(function (field) {
      if (field.type === "radio") return;
      const name = field.getAttribute("name");
      const value = valueOf(field);
      if (value === undefined) return;
      if (field.dataset.multiple) {
        (inputs[name] = inputs[name] || []).push(value);
      } else {
        inputs[name] = value;
      }
    });
    return inputs;
  }

  function showProblem(box, problem) {
    box.classList.remove("d-none");
    box.textContent = problem.detail || "The request failed.";
  }

  document.addEventListener("DOMContentLoaded", function () {
    const form = document.getElementById("execute-form");
    if (!form) return;
    const description = JSON.parse(document.getElementById("process-description").textContent);
    const fields = document.getElementById("execute-fields");
    Object.entries(description.inputs || {}).forEach(function ([id, input]) {
      fields.appendChild(widgetFor(id, input));
    });
    fields.querySelectorAll("[data-picker]:not([data-multiple])").forEach(attachPicker);
    const prefill = new URLSearchParams(window.location.search);
    prefill.forEach(function (value, key) {
      const field = document.getElementById("input-" + key.replace(/^input\./, "")) ||
        document.getElementById("input-" + key.replace(/^input\./, "") + "-0");
      if (key.startsWith("input.") && field && "value" in field) field.value = value;
    });
    const problemBox = document.getElementById("execute-problem");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      problemBox.classList.add("d-none");
      let inputs;
      try {
        inputs = collectInputs(form);
      } catch (error) {
        showProblem(problemBox, { detail: "An input is not valid JSON: " + error.message });
        return;
      }
      const response = await fetch(form.dataset.action, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          "Accept": "application/json",
          "Prefer": "respond-async",
          "X-CSRFToken": csrfToken(),
        },
        body: JSON.stringify({ inputs: inputs }),
      });
      const document_ = await response.json();
      if (response.status === 201) {
        window.location.href = "/ogcapi/jobs/" + document_.jobID + "?f=html";
      } else {
        showProblem(problemBox, document_);
      }
    });
  });
})();
