/* Optional: every page works without this. No storage on the device: answers go to the
   server only. Leaves for a neutral site when Shift is pressed three times ("Exit this
   page"); saves the answer in the background while the person writes, and offers
   "Listen" when the device has a voice for the page's language. */
(function () {
  "use strict";
  var exit = document.querySelector("a[data-exit-this-page]");
  if (exit) {
    var leave = function (event) {
      if (event) { event.preventDefault(); }
      // Hide the page at once, and replace it in the history so Back does not return here.
      document.body.style.visibility = "hidden";
      document.title = "";
      window.location.replace(exit.href);
    };
    var presses = 0, reset = null;
    var status = document.querySelector(".exit-this-page__status");
    exit.addEventListener("click", leave);
    document.addEventListener("keyup", function (event) {
      if (event.key !== "Shift") { presses = 0; return; }
      presses += 1;
      clearTimeout(reset);
      reset = setTimeout(function () { presses = 0; status.textContent = ""; }, 5000);
      if (presses >= 3) { leave(); return; }
      status.textContent = exit.getAttribute(presses === 1 ? "data-press-twice" : "data-press-once");
    });
  }

  var form = document.querySelector("form[data-save-url]");
  if (form && window.fetch && window.FormData) {
    var status = form.querySelector(".save-status");
    var timer = null;
    var save = function () {
      timer = null;
      fetch(form.getAttribute("data-save-url"), {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: { Accept: "application/json" }
      }).then(function (reply) { return reply.json(); })
        .then(function (body) { status.textContent = body.message || ""; })
        .catch(function () { status.textContent = ""; });
    };
    var later = function () {
      clearTimeout(timer);
      timer = setTimeout(save, 1500);
    };
    form.addEventListener("input", later);
    form.addEventListener("change", later);
    form.addEventListener("submit", function () { clearTimeout(timer); });
  }

  var listen = document.querySelector("button[data-listen-lang]");
  var speech = window.speechSynthesis;
  if (!listen || !speech || !window.SpeechSynthesisUtterance) { return; }
  var wanted = listen.getAttribute("data-listen-lang").toLowerCase();
  var language = wanted.split("-")[0];
  var voiceFor = function () {
    var voices = speech.getVoices(), near = null;
    for (var i = 0; i < voices.length; i++) {
      var tag = voices[i].lang.toLowerCase().replace("_", "-");
      if (tag === wanted) { return voices[i]; }
      if (!near && tag.split("-")[0] === language) { near = voices[i]; }
    }
    return near;
  };
  var offer = function () { listen.hidden = !voiceFor(); };
  offer();
  if (speech.addEventListener) { speech.addEventListener("voiceschanged", offer); }
  listen.addEventListener("click", function () {
    var voice = voiceFor();
    if (!voice) { return; }
    var parts = document.querySelectorAll(
      "#question-text, .question-form .hint, .private-notice p, .choice__text");
    var words = [];
    for (var i = 0; i < parts.length; i++) { words.push(parts[i].textContent.trim()); }
    var utterance = new SpeechSynthesisUtterance(words.join(". "));
    utterance.voice = voice;
    utterance.lang = voice.lang;
    speech.cancel();
    speech.speak(utterance);
  });
}());
