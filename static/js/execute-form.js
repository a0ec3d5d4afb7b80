// Builds an execute form from an OGC process description and submits it as a job.
(function () {
  "use strict";

  const csrfToken = window.tep.csrfToken;

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

  function widgetFor(id, input, holdings) {
    const schema = input.schema || {};
    const wrapper = document.createElement("div");
    wrapper.className = "mb-3";
    const label = document.createElement("label");
    label.className = "form-label fw-semibold";
    label.htmlFor = "input-" + id;
    label.textContent = (input.title || id) + (input.minOccurs === 0 ? " (optional)" : "");
    wrapper.appendChild(label);
    let field;
    if (Array.isArray(schema.enum)) {
      field = document.createElement("select");
      field.className = "form-select";
      schema.enum.forEach(function (value) {
        const option = document.createElement("option");
        option.value = JSON.stringify(value);
        option.textContent = value;
        field.appendChild(option);
      });
      field.dataset.kind = "enum";
    } else if (schema.type === "boolean") {
      field = document.createElement("input");
      field.type = "checkbox";
      field.className = "form-check-input ms-2";
      field.dataset.kind = "boolean";
    } else if (schema.type === "number" || schema.type === "integer") {
      field = document.createElement("input");
      field.type = "number";
      field.step = schema.type === "integer" ? "1" : "any";
      field.className = "form-control";
      if (schema.minimum !== undefined) field.min = schema.minimum;
      if (schema.maximum !== undefined) field.max = schema.maximum;
      if (schema.default !== undefined) field.value = schema.default;
      field.dataset.kind = schema.type;
    } else if (isFile(schema)) {
      field = document.createElement("input");
      field.type = "text";
      field.className = "form-control";
      field.placeholder = "holdings/… or https://…";
      field.setAttribute("list", "holdings-files");
      field.dataset.kind = "file";
    } else if (isBbox(schema)) {
      field = document.createElement("input");
      field.type = "text";
      field.className = "form-control";
      field.placeholder = "west, south, east, north";
      field.dataset.kind = "bbox";
    } else if (schema.type === "string") {
      field = document.createElement("input");
      field.type = "text";
      field.className = "form-control";
      if (schema.default !== undefined) field.value = schema.default;
      field.dataset.kind = "string";
    } else {
      field = document.createElement("textarea");
      field.className = "form-control font-monospace";
      field.rows = 4;
      field.placeholder = "JSON";
      field.dataset.kind = "json";
    }
    field.id = "input-" + id;
    field.name = id;
    if (isGeometry(schema)) field.dataset.picker = "polygon";
    if (field.dataset.kind === "bbox") field.dataset.picker = "bbox";
    field.required = input.minOccurs !== 0 && schema.default === undefined && schema.type !== "boolean";
    wrapper.appendChild(field);
    if (input.description) {
      const help = document.createElement("div");
      help.className = "form-text";
      help.textContent = input.description;
      wrapper.appendChild(help);
    }
    return wrapper;
  }

  function valueOf(field) {
    const raw = field.value.trim();
    switch (field.dataset.kind) {
      case "boolean": return field.checked;
      case "integer": return raw === "" ? undefined : parseInt(raw, 10);
      case "number": return raw === "" ? undefined : parseFloat(raw);
      case "enum": return JSON.parse(field.value);
      case "file": return raw === "" ? undefined : { href: raw };
      case "bbox": return raw === "" ? undefined : { bbox: raw.split(",").map(Number) };
      case "json": return raw === "" ? undefined : JSON.parse(raw);
      default: return raw === "" ? undefined : raw;
    }
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
    if (window.tepAreaPicker) {
      fields.querySelectorAll("[data-picker]").forEach(function (field) {
        window.tepAreaPicker.attach(field, field.dataset.picker);
      });
    }
    const problemBox = document.getElementById("execute-problem");
    form.addEventListener("submit", async function (event) {
      event.preventDefault();
      problemBox.classList.add("d-none");
      const inputs = {};
      try {
        form.querySelectorAll("[name]").forEach(function (field) {
          const value = valueOf(field);
          if (value !== undefined) inputs[field.name] = value;
        });
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
