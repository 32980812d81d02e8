/* The admin's program editor: CodeMirror 6 over the form's own textarea (which stays the
   field that is submitted), with line numbers, colours for the authoring language or for
   Mermaid, and an error shown at its line: a wavy underline, a mark in the gutter, the
   message on hover. Built once at dev time into static/vendor/codemirror/editor.js
   (`make editor`); nothing is fetched at run time.

   window.BackpropEditor.attach(textarea, {language: "program" | "mermaid", label,
   describedBy, onChange}) → {view, showError(line, message), clearError(), focusLine(line)}.
   Tab is left to move the focus (no keyboard trap); indenting is never needed here. */
import {EditorState} from "@codemirror/state";
import {EditorView, drawSelection, highlightActiveLine, highlightActiveLineGutter, keymap,
        lineNumbers} from "@codemirror/view";
import {defaultKeymap, history, historyKeymap} from "@codemirror/commands";
import {HighlightStyle, StreamLanguage, bracketMatching, syntaxHighlighting} from "@codemirror/language";
import {lintGutter, setDiagnostics} from "@codemirror/lint";
import {tags} from "@lezer/highlight";

// The authoring language's own words (exercises/engine/parser.py, ops.py).
const DRAWS = new Set(["randint", "choice", "const"]);
const FUNCTIONS = new Set(["exp", "log", "sqrt", "sigmoid", "tanh", "relu", "abs", "max", "min"]);

const program = StreamLanguage.define({
  name: "backprop-program",
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match(/^#.*/)) return "comment";
    if (stream.match(/^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/)) return "number";
    const word = stream.match(/^[A-Za-z_][A-Za-z0-9_]*/);
    if (word) {
      if (DRAWS.has(word[0])) return "keyword";
      if (FUNCTIONS.has(word[0])) return "function";
      return stream.sol() || /^\s*=/.test(stream.string.slice(stream.pos)) ? "definition" : "variableName";
    }
    if (stream.match(/^\*\*|^[-+*/=]/)) return "operator";
    if (stream.match(/^[(),]/)) return "punctuation";
    stream.next();
    return "invalid";
  },
  tokenTable: {definition: tags.definition(tags.variableName), function: tags.function(tags.variableName)},
  languageData: {commentTokens: {line: "#"}}
});

const mermaid = StreamLanguage.define({
  name: "mermaid",
  token(stream) {
    if (stream.eatSpace()) return null;
    if (stream.match(/^%%.*/)) return "comment";
    if (stream.sol() && stream.match(/^(?:flowchart|graph)\b/)) return "keyword";
    if (stream.match(/^(?:LR|RL|TD|TB|BT)\b/)) return "keyword";
    if (stream.match(/^(?:classDef|class|style|linkStyle|subgraph|end)\b/)) return "keyword";
    if (stream.match(/^"[^"]*"?/)) return "string";
    if (stream.match(/^[[({]+[^\])}]*[\])}]*/)) return "string";
    if (stream.match(/^(?:-->|---|-\.->|==>|--)/)) return "operator";
    if (stream.match(/^\|[^|]*\|/)) return "string";
    if (stream.match(/^[A-Za-z_][A-Za-z0-9_]*/)) return "variableName";
    if (stream.match(/^(?:\d+\.?\d*|\.\d+)/)) return "number";
    stream.next();
    return null;
  },
  languageData: {commentTokens: {line: "%%"}}
});

// Colours with at least 4.5:1 contrast on white (WCAG AA).
const colours = HighlightStyle.define([
  {tag: tags.comment, color: "#5c6370", fontStyle: "italic"},
  {tag: tags.number, color: "#0b6b3a"},
  {tag: tags.keyword, color: "#8a1fa8", fontWeight: "bold"},
  {tag: tags.function(tags.variableName), color: "#0a5fb4"},
  {tag: tags.definition(tags.variableName), color: "#7a3e00", fontWeight: "bold"},
  {tag: tags.variableName, color: "#1f2330"},
  {tag: tags.operator, color: "#a1331a"},
  {tag: tags.string, color: "#0b6b3a"},
  {tag: tags.invalid, color: "#b3261e", textDecoration: "underline"}
]);

const theme = EditorView.theme({
  "&": {border: "1px solid var(--border-color, #ccc)", borderRadius: "4px", background: "#fff",
        color: "#1f2330", fontSize: "14px", maxWidth: "60em"},
  "&.cm-focused": {outline: "3px solid #f0a400", outlineOffset: "1px"},
  ".cm-content": {fontFamily: "ui-monospace, SFMono-Regular, Menlo, Consolas, monospace",
                  minHeight: "12em", caretColor: "#1f2330"},
  ".cm-scroller": {maxHeight: "32em", overflow: "auto"},
  ".cm-gutters": {background: "#f6f6fb", color: "#5c6370", borderRight: "1px solid #ddd"},
  ".cm-activeLine": {background: "#f3f1fb"},
  ".cm-activeLineGutter": {background: "#e8e4f7"},
  ".cm-lintRange-error": {backgroundColor: "rgba(179, 38, 30, .08)"},
  ".cm-tooltip-lint": {fontSize: "13px"}
});

function attach(textarea, options) {
  options = options || {};
  let quiet = false;
  const sync = EditorView.updateListener.of((update) => {
    if (!update.docChanged || quiet) return;
    textarea.value = update.state.doc.toString();
    if (options.onChange) options.onChange(textarea.value);
  });
  const attributes = {"aria-label": options.label || "Program", "aria-multiline": "true"};
  if (options.describedBy) attributes["aria-describedby"] = options.describedBy;
  const view = new EditorView({
    parent: textarea.parentNode,
    state: EditorState.create({
      doc: textarea.value,
      extensions: [
        lineNumbers(), highlightActiveLineGutter(), highlightActiveLine(), drawSelection(),
        history(), bracketMatching(), lintGutter(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        options.language === "mermaid" ? mermaid : program,
        syntaxHighlighting(colours), theme, sync,
        EditorView.contentAttributes.of(attributes),
        EditorView.lineWrapping
      ]
    })
  });
  textarea.parentNode.insertBefore(view.dom, textarea.nextSibling);
  textarea.hidden = true; // still in the form, still submitted
  textarea.setAttribute("data-editor", "codemirror");
  // The form's label now points at the editor.
  const label = textarea.id && document.querySelector("label[for='" + textarea.id + "']");
  if (label) label.addEventListener("click", () => view.focus());

  function lineAt(number) {
    const doc = view.state.doc;
    return doc.line(Math.max(1, Math.min(doc.lines, number)));
  }

  return {
    view,
    showError(number, message) {
      const diagnostics = [];
      if (number) {
        const line = lineAt(number);
        // an empty line still gets a mark one character wide
        const to = line.to > line.from ? line.to : Math.min(view.state.doc.length, line.from + 1);
        diagnostics.push({from: line.from, to, severity: "error", message});
      }
      view.dispatch(setDiagnostics(view.state, diagnostics));
      view.dom.setAttribute("data-error-line", number || "");
    },
    clearError() {
      view.dispatch(setDiagnostics(view.state, []));
      view.dom.removeAttribute("data-error-line");
    },
    focusLine(number) {
      const line = lineAt(number);
      view.dispatch({selection: {anchor: line.from, head: line.to}, scrollIntoView: true});
      view.focus();
    },
    setValue(text) {
      quiet = true;
      view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: text}});
      quiet = false;
    }
  };
}

window.BackpropEditor = {attach};
