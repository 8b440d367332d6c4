/* The importers' hottest steps in C, each a Python function's rules exactly:
 *
 * - ``fast_fields`` of ``tui.importers.bibtex_syntax`` (``python_fast_fields``): one BibTeX entry of the
 *   common shape (one ``name = {value}`` per line, the closing brace on a line of its own) as
 *   (type, key, fields), or None for anything else, which the careful parser reads;
 * - ``is_clean`` of ``tui.importers.records`` (``python_is_clean``): whether cleaning the text would only
 *   strip its ends.
 *
 * The Python functions stay the reference and the fallback where this module was not compiled; the
 * tests run both over real files and hand-made edge cases and require the same answers.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

typedef struct {
    int kind;
    const void *data;
    Py_ssize_t length;
} Text;

#define AT(text, index) PyUnicode_READ((text)->kind, (text)->data, (index))

static PyObject *author_name, *editor_name, *and_separator, *latex_keyword, *nfkc_form, *is_normalized;

static int is_blank(Py_UCS4 c) { return c == ' ' || c == '\t'; }

static int is_ascii_letter(Py_UCS4 c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }

/* A character that ends a citation key (the regex's [^,{}()"#=]). */
static int ends_key(Py_UCS4 c) {
    return c == ',' || c == '{' || c == '}' || c == '(' || c == ')' || c == '"' || c == '#' || c == '=';
}

static int all_space(const Text *text, Py_ssize_t start, Py_ssize_t end) {
    for (Py_ssize_t i = start; i < end; i++) {
        if (!Py_UNICODE_ISSPACE(AT(text, i))) return 0;
    }
    return 1;
}

/* Inner braces pair up and never close more than they opened. */
static int balanced(const Text *text, Py_ssize_t start, Py_ssize_t end) {
    Py_ssize_t depth = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 c = AT(text, i);
        if (c == '{') {
            depth++;
        } else if (c == '}' && --depth < 0) {
            return 0;
        }
    }
    return depth == 0;
}

/* A field name in lower case, as ``str.lower`` gives it. */
static PyObject *lower_name(PyObject *segment, const Text *text, Py_ssize_t start, Py_ssize_t end) {
    int needs_lowering = 0;
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 c = AT(text, i);
        if (c > 127) {
            PyObject *name = PyUnicode_Substring(segment, start, end);
            if (name == NULL) return NULL;
            PyObject *lowered = PyObject_CallMethod(name, "lower", NULL);
            Py_DECREF(name);
            return lowered;
        }
        needs_lowering |= (c >= 'A' && c <= 'Z');
    }
    if (!needs_lowering) return PyUnicode_Substring(segment, start, end);
    char small[64];
    char *buffer = end - start <= (Py_ssize_t)sizeof(small) ? small : PyMem_Malloc(end - start);
    if (buffer == NULL) return PyErr_NoMemory();
    for (Py_ssize_t i = start; i < end; i++) {
        Py_UCS4 c = AT(text, i);
        buffer[i - start] = (char)(c >= 'A' && c <= 'Z' ? c + 32 : c);
    }
    PyObject *name = PyUnicode_DecodeASCII(buffer, end - start, NULL);
    if (buffer != small) PyMem_Free(buffer);
    return name;
}

/* Anything but whitespace in the value (``value.strip()`` is not empty). */
static int has_text(PyObject *value) {
    Text text = {PyUnicode_KIND(value), PyUnicode_DATA(value), PyUnicode_GET_LENGTH(value)};
    return !all_space(&text, 0, text.length);
}

/* ``_add_field``: the first value of a repeated name counts, except that authors and editors are joined. */
static int add_field(PyObject *fields, PyObject *name, PyObject *value) {
    PyObject *before = PyDict_GetItemWithError(fields, name);
    if (before == NULL) {
        return PyErr_Occurred() ? -1 : PyDict_SetItem(fields, name, value);
    }
    int listed = PyUnicode_Compare(name, author_name) == 0 || PyUnicode_Compare(name, editor_name) == 0;
    if (!listed || !has_text(value)) return 0;
    if (!has_text(before)) return PyDict_SetItem(fields, name, value);
    PyObject *joined = PyUnicode_Concat(before, and_separator);
    if (joined == NULL) return -1;
    PyUnicode_Append(&joined, value);
    if (joined == NULL) return -1;
    int result = PyDict_SetItem(fields, name, joined);
    Py_DECREF(joined);
    return result;
}

/* One line "name = {value}" (optionally followed by a comma) between ``start`` and the newline at ``end``:
 * adds the field and returns 1, returns 0 when the line has another shape, -1 on error. */
static int read_field(PyObject *segment, const Text *text, Py_ssize_t start, Py_ssize_t end, PyObject *fields) {
    Py_ssize_t i = start;
    while (i < end && is_blank(AT(text, i))) i++;
    Py_ssize_t name_start = i;
    while (i < end && AT(text, i) != '=' && !Py_UNICODE_ISSPACE(AT(text, i))) i++;
    Py_ssize_t name_end = i;
    if (name_end == name_start) return 0;
    while (i < end && is_blank(AT(text, i))) i++;
    if (i >= end || AT(text, i) != '=') return 0;
    i++;
    while (i < end && is_blank(AT(text, i))) i++;
    if (i >= end || AT(text, i) != '{') return 0;
    Py_ssize_t value_start = i + 1;
    Py_ssize_t last = end - 1;
    while (last >= value_start && is_blank(AT(text, last))) last--;
    if (last >= value_start && AT(text, last) == ',') last--;
    if (last < value_start || AT(text, last) != '}') return 0;
    if (!balanced(text, value_start, last)) return 0;
    PyObject *name = lower_name(segment, text, name_start, name_end);
    if (name == NULL) return -1;
    PyObject *value = PyUnicode_Substring(segment, value_start, last);
    if (value == NULL) {
        Py_DECREF(name);
        return -1;
    }
    int result = add_field(fields, name, value);
    Py_DECREF(name);
    Py_DECREF(value);
    return result < 0 ? -1 : 1;
}

/* The entry type and citation key: "type{key," with the end of the comma in ``*body_start``. */
static PyObject *read_head(PyObject *segment, const Text *text, Py_ssize_t *body_start, PyObject **key) {
    Py_ssize_t i = 0, n = text->length;
    while (i < n && is_blank(AT(text, i))) i++;
    Py_ssize_t type_start = i;
    while (i < n && is_ascii_letter(AT(text, i))) i++;
    Py_ssize_t type_end = i;
    if (type_end == type_start) return NULL;
    while (i < n && is_blank(AT(text, i))) i++;
    if (i >= n || AT(text, i) != '{') return NULL;
    i++;
    while (i < n && Py_UNICODE_ISSPACE(AT(text, i))) i++;
    Py_ssize_t key_start = i;
    while (i < n && !ends_key(AT(text, i))) i++;
    if (i >= n || AT(text, i) != ',') return NULL;
    Py_ssize_t key_end = i;
    while (key_end > key_start && Py_UNICODE_ISSPACE(AT(text, key_end - 1))) key_end--;
    for (Py_ssize_t j = key_start; j < key_end; j++) {
        if (AT(text, j) == '\n') return NULL;
    }
    *body_start = i + 1;
    *key = PyUnicode_Substring(segment, key_start, key_end);
    if (*key == NULL) return NULL;
    PyObject *type = lower_name(segment, text, type_start, type_end);
    if (type == NULL) Py_CLEAR(*key);
    return type;
}

static PyObject *fast_fields(PyObject *Py_UNUSED(module), PyObject *segment) {
    if (!PyUnicode_Check(segment)) {
        PyErr_SetString(PyExc_TypeError, "fast_fields() takes a str");
        return NULL;
    }
    Text text = {PyUnicode_KIND(segment), PyUnicode_DATA(segment), PyUnicode_GET_LENGTH(segment)};
    Py_ssize_t body_start = 0;
    PyObject *key = NULL;
    PyObject *type = read_head(segment, &text, &body_start, &key);
    if (type == NULL) {
        if (PyErr_Occurred()) return NULL;
        Py_RETURN_NONE;
    }
    PyObject *fields = NULL;
    /* The body ends at the last closing brace; only whitespace may follow it. */
    Py_ssize_t body_end = text.length - 1;
    while (body_end >= 0 && Py_UNICODE_ISSPACE(AT(&text, body_end))) body_end--;
    if (body_end < body_start || AT(&text, body_end) != '}') goto not_fast;
    Py_ssize_t first_newline = -1, newline = -1;
    for (Py_ssize_t i = body_start; i < body_end; i++) {
        if (AT(&text, i) == '\n') {
            first_newline = i;
            break;
        }
    }
    if (first_newline < 0 || !all_space(&text, body_start, first_newline)) goto not_fast;
    fields = PyDict_New();
    if (fields == NULL) goto error;
    newline = first_newline;
    while (1) {
        Py_ssize_t next = -1;
        for (Py_ssize_t i = newline + 1; i < body_end; i++) {
            if (AT(&text, i) == '\n') {
                next = i;
                break;
            }
        }
        if (next < 0) break;
        int read = read_field(segment, &text, newline + 1, next, fields);
        if (read < 0) goto error;
        if (read == 0) goto not_fast;
        newline = next;
    }
    if (!all_space(&text, newline + 1, body_end)) goto not_fast;
    PyObject *result = PyTuple_Pack(3, type, key, fields);
    Py_DECREF(type);
    Py_DECREF(key);
    Py_DECREF(fields);
    return result;
not_fast:
    Py_DECREF(type);
    Py_DECREF(key);
    Py_XDECREF(fields);
    Py_RETURN_NONE;
error:
    Py_DECREF(type);
    Py_DECREF(key);
    Py_XDECREF(fields);
    return NULL;
}

/* A character ``clean_text`` changes (``records._ODD_SPACE``), or with LaTeX also decodes. */
static int is_dirty(Py_UCS4 c, int latex) {
    if (c < 128) {
        return (c >= '\t' && c <= '\r') || (c >= 0x1c && c <= 0x1f) ||
               (latex && (c == '\\' || c == '{' || c == '}' || c == '~'));
    }
    return c == 0x85 || c == 0x1680 || c == 0x2028 || c == 0x2029;
}

/* is_clean(text, *, latex): no character to change, no double space (nor, with LaTeX, "--"), and
 * NFKC-normalised text (checked by ``unicodedata.is_normalized`` only when the text is not ASCII). */
static PyObject *is_clean(PyObject *Py_UNUSED(module), PyObject *const *args, Py_ssize_t count, PyObject *keywords) {
    if (count != 1 || keywords == NULL || PyTuple_GET_SIZE(keywords) != 1 ||
        PyUnicode_Compare(PyTuple_GET_ITEM(keywords, 0), latex_keyword) != 0) {
        if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "is_clean() takes a text and latex=");
        return NULL;
    }
    PyObject *text = args[0];
    if (!PyUnicode_Check(text)) {
        PyErr_SetString(PyExc_TypeError, "is_clean() takes a str");
        return NULL;
    }
    int latex = PyObject_IsTrue(args[1]);
    if (latex < 0) return NULL;
    Text view = {PyUnicode_KIND(text), PyUnicode_DATA(text), PyUnicode_GET_LENGTH(text)};
    Py_UCS4 previous = 0;
    for (Py_ssize_t i = 0; i < view.length; i++) {
        Py_UCS4 c = AT(&view, i);
        if (is_dirty(c, latex) || (c == ' ' && previous == ' ') || (latex && c == '-' && previous == '-')) {
            Py_RETURN_FALSE;
        }
        previous = c;
    }
    if (PyUnicode_IS_ASCII(text)) Py_RETURN_TRUE;
    return PyObject_CallFunctionObjArgs(is_normalized, nfkc_form, text, NULL);
}

static PyMethodDef methods[] = {
    {"fast_fields", fast_fields, METH_O,
     "(type, key, fields) of an entry in the common shape, or None to use the careful parser."},
    {"is_clean", (PyCFunction)(void (*)(void))is_clean, METH_FASTCALL | METH_KEYWORDS,
     "True if clean_text would only strip the ends of this text."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module_definition = {
    PyModuleDef_HEAD_INIT, "_speedups", "The importers' hottest steps, compiled.", -1, methods,
    NULL, NULL, NULL, NULL,
};

PyMODINIT_FUNC PyInit__speedups(void) {
    author_name = PyUnicode_InternFromString("author");
    editor_name = PyUnicode_InternFromString("editor");
    and_separator = PyUnicode_InternFromString(" and ");
    latex_keyword = PyUnicode_InternFromString("latex");
    nfkc_form = PyUnicode_InternFromString("NFKC");
    PyObject *unicodedata = PyImport_ImportModule("unicodedata");
    if (unicodedata == NULL) return NULL;
    is_normalized = PyObject_GetAttrString(unicodedata, "is_normalized");
    Py_DECREF(unicodedata);
    if (author_name == NULL || editor_name == NULL || and_separator == NULL || latex_keyword == NULL ||
        nfkc_form == NULL || is_normalized == NULL) {
        return NULL;
    }
    return PyModule_Create(&module_definition);
}
