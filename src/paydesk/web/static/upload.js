// Upload progress for the camt file form: fills the form's <progress> while htmx sends the
// file, then shows it as busy while paydesk imports. Without this script the form still works.
document.addEventListener("htmx:beforeSend", (event) => {
  const form = event.detail.elt;
  const box = form && form.querySelector ? form.querySelector("[data-upload-progress]") : null;
  if (!box) return;
  const bar = box.querySelector("progress");
  box.hidden = false;
  bar.value = 0;
  event.detail.xhr.upload.addEventListener("progress", (step) => {
    if (!step.lengthComputable) return;
    bar.max = step.total;
    bar.value = step.loaded;
    if (step.loaded >= step.total) bar.removeAttribute("value"); // sent: importing now
  });
});
