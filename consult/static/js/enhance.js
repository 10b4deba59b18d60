/* Optional: every page works without this. No storage on the device: answers go to the
   server only. Leaves for a neutral site when Shift is pressed three times ("Exit this
   page"); saves the answer in the background while the person writes, and offers
   "Listen" when a recorded clip of the question can play, or else when the device has a
   voice for the page's language. On the staff Voices page, records a clip with the
   microphone (MediaRecorder) into the upload form's file field. */
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

  // Staff Voices page: record with the microphone into the upload form's file field, so the
  // one Save button sends it, exactly as an uploaded file.
  var recorder = document.querySelector("[data-recorder]");
  var media = navigator.mediaDevices;
  if (recorder && media && media.getUserMedia && window.MediaRecorder && window.DataTransfer) {
    var field = document.getElementById("clip");
    var start = recorder.querySelector("[data-record]"), stop = recorder.querySelector("[data-stop]");
    var said = recorder.querySelector("[data-recorder-status]");
    var preview = recorder.querySelector("[data-recorder-preview]");
    var taking = null;
    recorder.hidden = false;
    start.addEventListener("click", function () {
      media.getUserMedia({ audio: true }).then(function (stream) {
        var chunks = [];
        taking = new MediaRecorder(stream);
        taking.addEventListener("dataavailable", function (event) { chunks.push(event.data); });
        taking.addEventListener("stop", function () {
          stream.getTracks().forEach(function (track) { track.stop(); });
          var type = (taking.mimeType || "audio/webm").split(";")[0];
          var ending = { "audio/ogg": "ogg", "audio/mp4": "m4a" }[type] || "webm";
          var file = new File(chunks, "recording." + ending, { type: type });
          var files = new DataTransfer();
          files.items.add(file);
          field.files = files.files;
          preview.src = URL.createObjectURL(file);
          preview.hidden = false;
          start.disabled = false;
          stop.disabled = true;
          said.textContent = "Recorded. Play it back, then press Save the recording, or record again.";
        });
        taking.start();
        start.disabled = true;
        stop.disabled = false;
        stop.focus();
        said.textContent = "Recording. Press Stop when you have finished.";
      }).catch(function () {
        said.textContent = "The microphone could not be used. Choose a sound file instead.";
      });
    });
    stop.addEventListener("click", function () { if (taking) { taking.stop(); } });
  }

  var listen = document.querySelector("button[data-listen-lang]");
  if (!listen) { return; }
  // A recorded clip wins over the device's voice: Listen plays each current clip in turn,
  // fetched only now (the player has preload="none").
  var player = document.querySelector("audio[data-clips]");
  if (player) {
    var clips = player.getAttribute("data-clips").split(" "), next = 0;
    var play = function () {
      player.src = clips[next];
      next += 1;
      var playing = player.play();
      if (playing && playing.catch) { playing.catch(function () {}); }
    };
    player.controls = false;
    player.hidden = true;
    listen.hidden = false;
    player.addEventListener("ended", function () { if (next < clips.length) { play(); } });
    listen.addEventListener("click", function () { player.pause(); next = 0; play(); });
    return;
  }
  var speech = window.speechSynthesis;
  if (!speech || !window.SpeechSynthesisUtterance) { return; }
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
