/* A test-only extension: a reference tracer written in C, as a profiler
 * installs one (PyRefTracer_SetTracer, CPython 3.13+). A tracer written in
 * Python would make objects inside itself and recurse.
 *
 * start(types) installs it, counting CREATE and DESTROY events of objects
 * whose exact type is one of `types`; stop() puts back the tracer that was
 * there and returns (creates, destroys); intact() says whether it is still
 * installed and was never told it was removed. Built by tests/test_ref_tracer.py
 * with the running interpreter's compiler and headers.
 */
#define PY_SSIZE_T_CLEAN
#include <Python.h>

#define MAX_TYPES 8

static PyObject *watched[MAX_TYPES];
static Py_ssize_t n_watched;
static Py_ssize_t creates, destroys, removals;
static PyRefTracer previous;
static void *previous_data;
static int running;

static int
count(PyObject *obj, PyRefTracerEvent event, void *data)
{
    (void)data;
    if (obj == NULL) {
        /* 3.15+: PyRefTracer_TRACKER_REMOVED, when the tracer is replaced. */
        removals++;
        return 0;
    }
    PyObject *type = (PyObject *)Py_TYPE(obj);
    for (Py_ssize_t i = 0; i < n_watched; i++) {
        if (type == watched[i]) {
            if (event == PyRefTracer_CREATE) {
                creates++;
            }
            else {
                destroys++;
            }
            break;
        }
    }
    return 0;
}

static PyObject *
start(PyObject *module, PyObject *types)
{
    (void)module;
    if (running) {
        PyErr_SetString(PyExc_RuntimeError, "the tracer is running");
        return NULL;
    }
    if (!PyTuple_Check(types) || PyTuple_GET_SIZE(types) > MAX_TYPES) {
        PyErr_SetString(PyExc_TypeError, "start() takes a tuple of at most 8 types");
        return NULL;
    }
    n_watched = PyTuple_GET_SIZE(types);
    for (Py_ssize_t i = 0; i < n_watched; i++) {
        /* Borrowed: the test keeps the types alive while tracing. */
        watched[i] = PyTuple_GET_ITEM(types, i);
    }
    creates = destroys = removals = 0;
    previous = PyRefTracer_GetTracer(&previous_data);
    if (PyRefTracer_SetTracer(count, NULL) < 0) {
        return NULL;
    }
    running = 1;
    Py_RETURN_NONE;
}

static PyObject *
stop(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    if (!running) {
        PyErr_SetString(PyExc_RuntimeError, "the tracer is not running");
        return NULL;
    }
    if (PyRefTracer_SetTracer(previous, previous_data) < 0) {
        return NULL;
    }
    running = 0;
    n_watched = 0;
    return Py_BuildValue("(nn)", creates, destroys);
}

static PyObject *
intact(PyObject *module, PyObject *unused)
{
    (void)module;
    (void)unused;
    void *data;
    /* Still installed, and never told it was removed (3.15+). */
    return PyBool_FromLong(PyRefTracer_GetTracer(&data) == count && removals == 0);
}

static PyMethodDef methods[] = {
    {"intact", intact, METH_NOARGS, "intact() -> whether the tracer is still set and was never removed."},
    {"start", start, METH_O, "start(types): count CREATE and DESTROY events of these exact types."},
    {"stop", stop, METH_NOARGS, "stop() -> (creates, destroys), and the previous tracer back."},
    {NULL, NULL, 0, NULL},
};

static struct PyModuleDef module = {
    PyModuleDef_HEAD_INIT, "reftracer", NULL, -1, methods,
};

PyMODINIT_FUNC
PyInit_reftracer(void)
{
    return PyModule_Create(&module);
}
