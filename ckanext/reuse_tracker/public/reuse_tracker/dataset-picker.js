/* The dataset picker: a search-as-you-type list over the datasets the user may read, for
   an <input data-dataset-picker> holding dataset names (comma-separated, or one with
   data-dataset-picker-single). Without JavaScript the input stays a plain text box. */
(function () {
  "use strict";

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) { node.className = className; }
    if (text !== undefined) { node.textContent = text; }
    return node;
  }

  function names(input) {
    return input.value.split(",").map(function (s) { return s.trim(); })
      .filter(function (s) { return s; });
  }

  function Picker(input) {
    var data = input.dataset;
    this.input = input;
    this.single = data.datasetPickerSingle !== undefined;
    this.source = data.datasetPicker;
    this.titles = JSON.parse(data.datasetPickerTitles || "{}");
    this.texts = { remove: data.datasetPickerRemove, empty: data.datasetPickerEmpty,
                   placeholder: data.datasetPickerPlaceholder };
    this.timer = null;
    this.build();
    this.render();
  }

  Picker.prototype.build = function () {
    var self = this, input = this.input, listId = input.id + "-options";
    this.box = el("div", "dataset-picker");
    this.chosen = el("ul", "dataset-picker-chosen list-unstyled");
    this.search = el("input", "form-control dataset-picker-search");
    this.search.type = "search";
    this.search.id = input.id + "-search";
    this.search.placeholder = this.texts.placeholder || "";
    this.search.setAttribute("role", "combobox");
    this.search.setAttribute("aria-autocomplete", "list");
    this.search.setAttribute("aria-expanded", "false");
    this.search.setAttribute("aria-controls", listId);
    if (input.getAttribute("aria-describedby")) {
      this.search.setAttribute("aria-describedby", input.getAttribute("aria-describedby"));
    }
    this.results = el("ul", "dataset-picker-results list-group");
    this.results.id = listId;
    this.results.setAttribute("role", "listbox");
    this.results.hidden = true;
    this.box.appendChild(this.chosen);
    this.box.appendChild(this.search);
    this.box.appendChild(this.results);
    input.parentNode.insertBefore(this.box, input.nextSibling);
    input.hidden = true;
    input.required = false;
    var label = document.querySelector("label[for='" + input.id + "']");
    if (label) { label.htmlFor = this.search.id; }
    this.search.addEventListener("input", function () {
      clearTimeout(self.timer);
      self.timer = setTimeout(function () { self.fetch(); }, 200);
    });
    this.search.addEventListener("keydown", function (event) { self.key(event); });
  };

  Picker.prototype.render = function () {
    var self = this;
    this.chosen.textContent = "";
    names(this.input).forEach(function (name) {
      var item = el("li", "dataset-picker-item badge bg-light text-dark me-1 mb-1");
      item.dataset.name = name;
      item.appendChild(el("span", "dataset-picker-title", self.titles[name] || name));
      var remove = el("button", "btn btn-link btn-sm dataset-picker-remove", "\u00d7");
      remove.type = "button";
      remove.setAttribute("aria-label", (self.texts.remove || "") + " " + (self.titles[name] || name));
      remove.addEventListener("click", function () { self.remove(name); });
      item.appendChild(remove);
      self.chosen.appendChild(item);
    });
  };

  Picker.prototype.fetch = function () {
    var self = this, text = this.search.value.trim();
    if (!text) { this.show([]); return; }
    fetch(this.source + "?q=" + encodeURIComponent(text), {
      credentials: "same-origin", headers: { "Accept": "application/json" }
    }).then(function (response) { return response.json(); })
      .then(function (body) { if (self.search.value.trim() === text) { self.show(body.results || []); } })
      .catch(function () { self.show([]); });
  };

  Picker.prototype.show = function (results) {
    var self = this;
    this.results.textContent = "";
    results.forEach(function (dataset, index) {
      var option = el("li", "list-group-item dataset-picker-option");
      option.id = self.results.id + "-" + index;
      option.setAttribute("role", "option");
      option.dataset.name = dataset.name;
      option.appendChild(el("span", "dataset-picker-option-title", dataset.title));
      option.appendChild(document.createTextNode(" "));
      option.appendChild(el("small", "text-muted", dataset.name));
      option.addEventListener("mousedown", function (event) {
        event.preventDefault();
        self.add(dataset);
      });
      self.results.appendChild(option);
    });
    if (!results.length && this.search.value.trim()) {
      this.results.appendChild(el("li", "list-group-item text-muted dataset-picker-empty",
                                  this.texts.empty || ""));
    }
    this.results.hidden = !this.results.children.length;
    this.search.setAttribute("aria-expanded", this.results.hidden ? "false" : "true");
    this.active = -1;
  };

  Picker.prototype.key = function (event) {
    var options = this.results.querySelectorAll("[role=option]");
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      if (!options.length) { return; }
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      this.active = (this.active + step + options.length) % options.length;
      options.forEach(function (option, index) {
        option.classList.toggle("active", index === this.active);
        option.setAttribute("aria-selected", index === this.active ? "true" : "false");
      }, this);
      this.search.setAttribute("aria-activedescendant", options[this.active].id);
    } else if (event.key === "Enter" && this.active >= 0 && options[this.active]) {
      event.preventDefault();
      var option = options[this.active];
      this.add({ name: option.dataset.name,
                 title: option.querySelector(".dataset-picker-option-title").textContent });
    } else if (event.key === "Escape") {
      this.show([]);
    }
  };

  Picker.prototype.add = function (dataset) {
    var current = this.single ? [] : names(this.input);
    if (current.indexOf(dataset.name) < 0) { current.push(dataset.name); }
    this.titles[dataset.name] = dataset.title;
    this.input.value = current.join(", ");
    this.search.value = "";
    this.show([]);
    this.render();
    this.search.focus();
  };

  Picker.prototype.remove = function (name) {
    this.input.value = names(this.input).filter(function (n) { return n !== name; }).join(", ");
    this.render();
    this.search.focus();
  };

  function start() {
    document.querySelectorAll("input[data-dataset-picker]").forEach(function (input) {
      if (!input.dataset.datasetPickerReady) {
        input.dataset.datasetPickerReady = "1";
        new Picker(input);
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
}());
