/* Zoom and pan for a drawn graph. The canvas is an ordinary scrolling box holding a sizer
   as large as the drawing at the current scale; the drawing itself is scaled with a CSS
   transform. Panning is therefore native scrolling (a finger, a trackpad, the scroll bars,
   and the browser bringing a focused answer box into view), and zooming only changes the
   scale and keeps the point under the pointer where it was.

     mouse     drag the background to pan; Ctrl + wheel (or a trackpad pinch) zooms
     touch     one finger pans; two fingers pinch to zoom
     keyboard  with the canvas focused: + and − zoom, 0 fits, the arrow keys pan

   window.BackpropViewport(canvas, sizer, stage, options) → {fit, zoomBy, reveal, scale}. */
(function () {
  "use strict";
  if (window.BackpropViewport) return;

  var MIN_SCALE = 0.3, MAX_SCALE = 2.5, STEP = 1.25, PAN = 60;

  function clamp(value, low, high) { return Math.max(low, Math.min(high, value)); }

  function isControl(target) {
    return !!(target && target.closest && target.closest("input, textarea, select, button, a, .bp-pop"));
  }

  function Viewport(canvas, sizer, stage, options) {
    this.canvas = canvas;
    this.sizer = sizer;
    this.stage = stage;
    this.options = options || {};
    this.scale = 1;
    this.width = 0;
    this.height = 0;
    this.extra = {width: 0, height: 0}; // room the inline hint needs beyond the drawing
    this.touched = false; // zoomed by the learner: a resize no longer refits
    this.bind();
  }

  Viewport.prototype.setSize = function (width, height) {
    this.width = width;
    this.height = height;
    this.apply();
  };

  Viewport.prototype.apply = function () {
    var s = this.scale;
    this.stage.style.transform = "scale(" + s + ")";
    this.sizer.style.width = Math.max(Math.ceil(this.width * s), this.extra.width) + "px";
    this.sizer.style.height = Math.max(Math.ceil(this.height * s), this.extra.height) + "px";
    this.canvas.setAttribute("data-scale", s.toFixed(3));
  };

  /* The scale that shows the whole width, but never so small that text can't be read, nor,
     on a touch screen, so small that an answer box is less than a fingertip (44 px) high. */
  Viewport.prototype.fitScale = function (width) {
    var room = this.canvas.clientWidth - 2;
    var coarse = window.matchMedia && window.matchMedia("(pointer: coarse)").matches;
    return clamp(room / (width || this.width || 1), coarse ? 1 : 0.6, 1);
  };

  Viewport.prototype.fit = function () {
    this.touched = false;
    this.setScale(this.fitScale());
    if (this.options.onFit) this.options.onFit();
  };

  /* Zoom keeping the canvas point (x, y) (client pixels inside the canvas) still. */
  Viewport.prototype.setScale = function (scale, x, y) {
    var old = this.scale, canvas = this.canvas;
    scale = clamp(scale, MIN_SCALE, MAX_SCALE);
    if (x === undefined) { x = canvas.clientWidth / 2; y = canvas.clientHeight / 2; }
    var contentX = (canvas.scrollLeft + x) / old, contentY = (canvas.scrollTop + y) / old;
    this.scale = scale;
    this.apply();
    canvas.scrollLeft = contentX * scale - x;
    canvas.scrollTop = contentY * scale - y;
    if (scale !== old && this.options.onChange) this.options.onChange(scale);
  };

  Viewport.prototype.zoomBy = function (factor, x, y) {
    this.touched = true;
    this.setScale(this.scale * factor, x, y);
  };

  /* Scroll so the drawing's rectangle r (unscaled stage pixels) is in view: inside the part
     of the canvas the window shows, when that part is large enough, else inside the canvas. */
  Viewport.prototype.reveal = function (r) {
    var canvas = this.canvas, s = this.scale;
    var box = {x: r.x * s + this.sizer.offsetLeft, y: r.y * s + this.sizer.offsetTop, w: r.w * s, h: r.h * s};
    var frame = canvas.getBoundingClientRect();
    var bandTop = 0, bandBottom = canvas.clientHeight;
    var visibleTop = Math.max(frame.top, 0) - frame.top;
    var visibleBottom = Math.min(frame.bottom, window.innerHeight) - frame.top;
    if (visibleBottom - visibleTop >= box.h + 16) {
      bandTop = Math.max(bandTop, visibleTop);
      bandBottom = Math.min(bandBottom, visibleBottom);
    }
    var top = box.y - (bandTop + Math.max(8, (bandBottom - bandTop - box.h) / 2));
    var left = box.x - Math.max(8, (canvas.clientWidth - box.w) / 2);
    if (box.x >= canvas.scrollLeft && box.x + box.w <= canvas.scrollLeft + canvas.clientWidth) {
      left = canvas.scrollLeft; // already in view sideways: don't jump
    }
    canvas.scrollTop = Math.max(0, top);
    canvas.scrollLeft = Math.max(0, left);
  };

  Viewport.prototype.bind = function () {
    var self = this, canvas = this.canvas;

    canvas.addEventListener("keydown", function (event) {
      if (event.target !== canvas || event.altKey || event.ctrlKey || event.metaKey) return;
      var key = event.key;
      if (key === "+" || key === "=") self.zoomBy(STEP);
      else if (key === "-" || key === "_" || key === "−") self.zoomBy(1 / STEP);
      else if (key === "0") self.fit();
      else if (key === "ArrowLeft") canvas.scrollLeft -= PAN;
      else if (key === "ArrowRight") canvas.scrollLeft += PAN;
      else if (key === "ArrowUp") canvas.scrollTop -= PAN;
      else if (key === "ArrowDown") canvas.scrollTop += PAN;
      else return;
      event.preventDefault();
    });

    canvas.addEventListener("wheel", function (event) {
      if (!event.ctrlKey) return; // a plain wheel scrolls, as everywhere else
      event.preventDefault();
      var frame = canvas.getBoundingClientRect();
      self.zoomBy(Math.exp(-event.deltaY / 300), event.clientX - frame.left, event.clientY - frame.top);
    }, {passive: false});

    var drag = null;
    canvas.addEventListener("pointerdown", function (event) {
      if (event.pointerType !== "mouse" || event.button !== 0 || isControl(event.target)) return;
      drag = {x: event.clientX, y: event.clientY, left: canvas.scrollLeft, top: canvas.scrollTop,
              id: event.pointerId};
      canvas.setPointerCapture(event.pointerId);
      canvas.classList.add("bp-dragging");
    });
    canvas.addEventListener("pointermove", function (event) {
      if (!drag || event.pointerId !== drag.id) return;
      canvas.scrollLeft = drag.left - (event.clientX - drag.x);
      canvas.scrollTop = drag.top - (event.clientY - drag.y);
    });
    function endDrag(event) {
      if (!drag || event.pointerId !== drag.id) return;
      drag = null;
      canvas.classList.remove("bp-dragging");
    }
    canvas.addEventListener("pointerup", endDrag);
    canvas.addEventListener("pointercancel", endDrag);

    // Pinch: touch events, because the browser claims pointers for its own scrolling.
    var pinch = null;
    function spread(touches) {
      return Math.hypot(touches[0].clientX - touches[1].clientX, touches[0].clientY - touches[1].clientY);
    }
    canvas.addEventListener("touchstart", function (event) {
      if (event.touches.length !== 2) { pinch = null; return; }
      var frame = canvas.getBoundingClientRect();
      pinch = {distance: spread(event.touches), scale: self.scale,
               x: (event.touches[0].clientX + event.touches[1].clientX) / 2 - frame.left,
               y: (event.touches[0].clientY + event.touches[1].clientY) / 2 - frame.top};
    }, {passive: true});
    canvas.addEventListener("touchmove", function (event) {
      if (!pinch || event.touches.length !== 2) return;
      event.preventDefault();
      self.touched = true;
      self.setScale(pinch.scale * spread(event.touches) / pinch.distance, pinch.x, pinch.y);
    }, {passive: false});
    canvas.addEventListener("touchend", function () { pinch = null; });

    var resizeTimer = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () { if (!self.touched && self.width) self.fit(); }, 150);
    });
  };

  window.BackpropViewport = function (canvas, sizer, stage, options) {
    return new Viewport(canvas, sizer, stage, options);
  };
})();
