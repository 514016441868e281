// The area-change form (区划调整): show only the fields the chosen kind uses. Without script every
// field shows and the action still says which are needed.
(function () {
  const form = document.querySelector("[data-area-change-form]");
  if (!form) return;
  const kind = form.querySelector("#id_kind");
  const used = {
    "": ["target", "new_name", "new_code"],
    rename: ["new_name"],
    merge: ["target", "new_name"],
    move: ["target", "new_code", "new_name"],
  };
  const labels = { merge: "并入的村(社区)", move: "新隶属的乡镇(街道)" };
  function wrapper(name) {
    const field = form.querySelector("#id_" + name);
    return field ? field.closest(".mb-3") : null;
  }
  const targetLabel = form.querySelector("label[for='id_target']");
  const targetText = targetLabel ? targetLabel.firstChild.textContent : "";
  function update() {
    const shown = used[kind.value] || used[""];
    ["target", "new_name", "new_code"].forEach(function (name) {
      const box = wrapper(name);
      if (box) box.classList.toggle("d-none", shown.indexOf(name) < 0);
    });
    if (targetLabel) targetLabel.firstChild.textContent = labels[kind.value] || targetText;
  }
  kind.addEventListener("change", update);
  update();
})();
