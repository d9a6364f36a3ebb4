// Accessibility fixes for third-party editors (YASGUI's CodeMirror, GraphiQL): their hidden
// textareas and inputs get names, their scrolling regions become focusable, as they appear.

/** Watch ``root``: give every unnamed input/textarea the name ``labelFor(element)`` returns
 * and make CodeMirror's scroll regions reachable by keyboard. */
export function nameEditors(root, labelFor) {
  const fix = () => {
    for (const field of root.querySelectorAll("textarea, input:not([type=hidden])")) {
      if (field.getAttribute("aria-label") || field.labels?.length || field.id && document.querySelector(`label[for="${field.id}"]`)) continue;
      const name = labelFor(field);
      if (name) field.setAttribute("aria-label", name);
    }
    for (const region of root.querySelectorAll(".CodeMirror-scroll")) {
      if (region.getAttribute("tabindex") !== "0") region.setAttribute("tabindex", "0");
    }
  };
  fix();
  new MutationObserver(fix).observe(root, { childList: true, subtree: true });
}
