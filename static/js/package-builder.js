// The guided form of "Deploy an application": repeatable input and output rows, fields that
// follow the execution unit type and the parameter type, and a live preview of the package.
//
// The package is built on the server from the same fields the form posts (POST to
// data-preview-url), so the preview is exactly what deploying would read.
(function () {
  "use strict";

  const form = document.getElementById("guided-form");
  if (!form) return;

  const PREVIEW_DELAY_MS = 300;
  const unitType = form.querySelector("[name=unit_type]");
  const preview = document.getElementById("package-preview");
  const status = document.getElementById("preview-status");
  const problemList = document.getElementById("preview-problems");
  let previewTimer = null;
  let previewRequest = 0;

  function showForUnitType() {
    form.querySelectorAll("[data-unit-only]").forEach(function (element) {
      element.classList.toggle("d-none", element.dataset.unitOnly !== unitType.value);
    });
  }

  function showMediaType(row) {
    const type = row.querySelector("select[name$='-type']");
    const mediaType = row.querySelector(".media-type-field");
    if (type && mediaType) mediaType.classList.toggle("d-none", type.value !== "file");
  }

  function totalForms(prefix) {
    return form.querySelector("[name='" + prefix + "-TOTAL_FORMS']");
  }

  // Django reads rows 0..TOTAL_FORMS-1: after a removal the rows are numbered again.
  function renumber(prefix) {
    const rows = form.querySelectorAll("[data-rows='" + prefix + "'] > [data-row]");
    const pattern = new RegExp("^(id_)?" + prefix + "-\\d+-");
    rows.forEach(function (row, index) {
      row.querySelectorAll("[name], [id], label[for]").forEach(function (element) {
        ["name", "id", "for"].forEach(function (attribute) {
          const value = element.getAttribute(attribute);
          if (value) element.setAttribute(attribute, value.replace(pattern, "$1" + prefix + "-" + index + "-"));
        });
      });
    });
    totalForms(prefix).value = rows.length;
  }

  function addRow(prefix) {
    const template = document.getElementById(prefix + "-template");
    const index = Number(totalForms(prefix).value);
    const holder = document.createElement("div");
    holder.innerHTML = template.innerHTML.replace(/__prefix__/g, String(index));
    const row = holder.firstElementChild;
    form.querySelector("[data-rows='" + prefix + "']").appendChild(row);
    totalForms(prefix).value = index + 1;
    showForUnitType();
    showMediaType(row);
    row.querySelector("input").focus();
    schedulePreview();
  }

  function showProblems(problems) {
    problemList.replaceChildren(...problems.map(function (problem) {
      const item = document.createElement("li");
      item.textContent = problem;
      return item;
    }));
    const ready = problems.length === 0;
    const icon = document.createElement("i");
    icon.className = "bi me-1 " + (ready ? "bi-check-circle" : "bi-exclamation-triangle");
    status.className = "small mb-2 " + (ready ? "text-success" : "text-danger");
    status.replaceChildren(icon, ready ? "Ready to deploy"
      : problems.length === 1 ? "One problem to fix" : problems.length + " problems to fix");
  }

  // The problems the server listed when the form came back stay until the developer edits;
  // from then on the live list takes their place.
  function hideServerProblems() {
    const listed = form.querySelector("#package-problems");
    if (listed) listed.remove();
  }

  async function refreshPreview(showsProblems) {
    const request = ++previewRequest;
    const response = await fetch(form.dataset.previewUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: { Accept: "application/json", "X-CSRFToken": window.tep.csrfToken() },
      body: new FormData(form),
    });
    // Typing fast starts several requests; only the newest answer is shown.
    if (request !== previewRequest || !response.ok) return;
    const answer = await response.json();
    if (answer.package) {
      preview.textContent = JSON.stringify(answer.package, null, 2);
      preview.parentElement.classList.remove("d-none");
    }
    // Fields that cannot make a package yet leave the last one shown, dimmed.
    preview.parentElement.classList.toggle("opacity-50", !answer.package);
    if (showsProblems) showProblems(answer.problems);
  }

  function schedulePreview() {
    hideServerProblems();
    window.clearTimeout(previewTimer);
    previewTimer = window.setTimeout(function () { refreshPreview(true); }, PREVIEW_DELAY_MS);
  }

  form.addEventListener("click", function (event) {
    const add = event.target.closest("[data-add-row]");
    if (add) {
      addRow(add.dataset.addRow);
      return;
    }
    const remove = event.target.closest("[data-remove-row]");
    if (remove) {
      const rows = remove.closest("[data-rows]");
      remove.closest("[data-row]").remove();
      renumber(rows.dataset.rows);
      schedulePreview();
    }
  });

  form.addEventListener("change", function (event) {
    if (event.target === unitType) showForUnitType();
    if (event.target.matches("select[name$='-type']")) showMediaType(event.target.closest("[data-row]"));
    schedulePreview();
  });
  form.addEventListener("input", schedulePreview);

  showForUnitType();
  form.querySelectorAll("[data-row]").forEach(showMediaType);
  // A form sent back with problems shows its package at once; a fresh one waits for typing.
  if (form.dataset.bound === "true") refreshPreview(false);
})();
