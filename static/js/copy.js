// Copy buttons: <button data-copy-target="#element-id">; the button says "Copied" for a moment.
document.addEventListener("click", function (event) {
  const button = event.target.closest("[data-copy-target]");
  if (!button) {
    return;
  }
  const source = document.querySelector(button.dataset.copyTarget);
  if (!source) {
    return;
  }
  const text = "value" in source ? source.value : source.textContent;
  const label = button.innerHTML;
  const done = function (ok) {
    button.innerHTML = ok
      ? '<i class="bi bi-check2 me-1"></i>Copied'
      : '<i class="bi bi-exclamation-triangle me-1"></i>Select and copy by hand';
    window.setTimeout(function () { button.innerHTML = label; }, 2500);
  };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(text).then(function () { done(true); }, function () { done(false); });
  } else {
    // Plain-HTTP deployments have no Clipboard API; fall back to selecting the text.
    if (source.select) {
      source.select();
    }
    done(document.execCommand && document.execCommand("copy"));
  }
});
