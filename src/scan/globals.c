// SPDX-License-Identifier: MIT
/*
 * globals - allow-list and deny-lists of pickle globals (see globals.h).
 *
 * Tables hold "module:name" keys (the colon keeps "torch._utils" +
 * "_rebuild_tensor_v2" apart from "torch" + "_utils._rebuild_tensor_v2")
 * and module names; they are sorted once (pthread_once) and searched with
 * bsearch, so a pickle with millions of GLOBAL opcodes costs a few
 * comparisons per opcode. Prefix rules cover open-ended families of
 * classes whose construction is inert: scikit-learn estimators (their
 * __init__ only stores parameters), torch.nn modules (rebuilt through
 * copyreg without __init__), TorchScript's "__torch__" classes (resolved
 * from the archive's code/, never imported by Python), numpy dtype classes.
 */
#include "scan/globals.h"

#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define KEY_MAX (SCAN_GLOBAL_MAX + 2)

/* ---- allow-list: exact "module:name" ------------------------------------ */
static const char *allow_exact[] = {
	/* builtins (pickle writes "__builtin__" for protocols < 3: mapped first) */
	"builtins:set", "builtins:frozenset", "builtins:bytearray", "builtins:complex",
	"builtins:slice", "builtins:range", "builtins:bytes", "builtins:list", "builtins:dict",
	"builtins:tuple", "builtins:int", "builtins:float", "builtins:str", "builtins:bool",
	"builtins:object", "builtins:Ellipsis",
	"builtins:NotImplemented", "builtins:memoryview",
	"copyreg:_reconstructor", "copyreg:__newobj__",
	"copyreg:__newobj_ex__",
	"_codecs:encode",
	"collections:OrderedDict", "collections:Counter", "collections:defaultdict",
	"collections:deque", "collections:UserDict", "collections:UserList",
	"datetime:datetime", "datetime:date", "datetime:time", "datetime:timedelta",
	"datetime:timezone", "decimal:Decimal", "fractions:Fraction",
	/*
	 * the standard library's plain data holders research checkpoints pickle
	 * (issue 12). Each is constructed by pickle through its class (REDUCE or
	 * NEWOBJ) and filled by BUILD, and none runs anything but assignments:
	 * argparse.Namespace and types.SimpleNamespace: __init__(**kw) only sets
	 * attributes, no __setstate__ (BUILD updates __dict__); uuid.UUID:
	 * __init__ parses a hex string, bytes or an int, __setstate__ assigns
	 * `int` and `is_safe`; pathlib's paths: the constructor splits strings,
	 * touches no file (3.13 moved them to pathlib._local). Their modules stay
	 * denied or unlisted: every other name of them (argparse.FileType,
	 * types.FunctionType, uuid._get_command_stdout, a method reached through
	 * a dotted name like Path.write_text) is not allowed by these entries.
	 */
	"argparse:Namespace", "types:SimpleNamespace", "uuid:UUID",
	"pathlib:PurePath", "pathlib:PurePosixPath", "pathlib:PureWindowsPath", "pathlib:Path",
	"pathlib:PosixPath", "pathlib._local:PurePath", "pathlib._local:PurePosixPath",
	"pathlib._local:PureWindowsPath", "pathlib._local:Path", "pathlib._local:PosixPath",
	/* torch: weights_only's set, and what torch.save / torch.jit.save write */
	"torch._utils:_rebuild_tensor", "torch._utils:_rebuild_tensor_v2",
	"torch._utils:_rebuild_tensor_v3", "torch._utils:_rebuild_parameter",
	"torch._utils:_rebuild_parameter_with_state", "torch._utils:_rebuild_qtensor",
	"torch._utils:_rebuild_sparse_tensor", "torch._utils:_rebuild_sparse_csr_tensor",
	"torch._utils:_rebuild_meta_tensor_no_storage", "torch._utils:_rebuild_wrapper_subclass",
	"torch._utils:_rebuild_device_tensor_from_numpy",
	"torch._utils:_rebuild_device_tensor_from_cpu_tensor",
	"torch._utils:_rebuild_nested_tensor", "torch._utils:_rebuild_xla_tensor",
	"torch._tensor:_rebuild_from_type", "torch._tensor:_rebuild_from_type_v2",
	"torch.nn.parameter:Parameter", "torch.nn.parameter:UninitializedParameter",
	"torch.nn.parameter:Buffer", "torch.serialization:_get_layout",
	"torch:Size", "torch:Tensor", "torch:device", "torch:dtype", "torch:layout",
	"torch:memory_format", "torch:finfo", "torch:iinfo",
	"torch.storage:TypedStorage", "torch.storage:UntypedStorage", "torch:UntypedStorage",
	"torch:TypedStorage",
	"torch:FloatStorage", "torch:DoubleStorage", "torch:HalfStorage", "torch:BFloat16Storage",
	"torch:LongStorage", "torch:IntStorage", "torch:ShortStorage", "torch:CharStorage",
	"torch:ByteStorage", "torch:BoolStorage", "torch:ComplexFloatStorage",
	"torch:ComplexDoubleStorage", "torch:QUInt8Storage", "torch:QInt8Storage",
	"torch:QInt32Storage", "torch:QUInt4x2Storage", "torch:QUInt2x4Storage",
	"torch:float32", "torch:float64", "torch:float16", "torch:bfloat16", "torch:float",
	"torch:double", "torch:half", "torch:int64", "torch:int32", "torch:int16", "torch:int8",
	"torch:uint8", "torch:uint16", "torch:uint32", "torch:uint64", "torch:long", "torch:int",
	"torch:short", "torch:bool", "torch:complex64", "torch:complex128", "torch:complex32",
	"torch:cfloat", "torch:cdouble", "torch:chalf", "torch:qint8", "torch:quint8",
	"torch:qint32", "torch:quint4x2", "torch:quint2x4", "torch:float8_e4m3fn",
	"torch:float8_e5m2", "torch:float8_e4m3fnuz", "torch:float8_e5m2fnuz",
	"torch:per_tensor_affine", "torch:per_channel_affine", "torch:per_tensor_symmetric",
	"torch:per_channel_symmetric", "torch:per_channel_affine_float_qparams",
	"torch:strided", "torch:sparse_coo", "torch:sparse_csr", "torch:sparse_csc",
	"torch:sparse_bsr", "torch:sparse_bsc", "torch:_mkldnn", "torch:contiguous_format",
	"torch:channels_last", "torch:channels_last_3d", "torch:preserve_format",
	"torch.jit._pickle:build_intlist", "torch.jit._pickle:build_doublelist",
	"torch.jit._pickle:build_boollist", "torch.jit._pickle:build_tensorlist",
	"torch.jit._pickle:build_tensor_from_id", "torch.jit._pickle:restore_type_tag",
	/* numpy */
	"numpy:ndarray", "numpy:dtype", "numpy.core.multiarray:_reconstruct",
	"numpy._core.multiarray:_reconstruct", "numpy.core.multiarray:scalar",
	"numpy._core.multiarray:scalar", "numpy.core.numeric:_frombuffer",
	"numpy._core.numeric:_frombuffer", "numpy.ma.core:_mareconstruct",
	"numpy.ma.core:MaskedArray", "numpy:matrix", "numpy.matrixlib.defmatrix:matrix",
	"numpy.random._pickle:__randomstate_ctor", "numpy.random._pickle:__bit_generator_ctor",
	"numpy.random._pickle:__generator_ctor", "numpy.random.mtrand:RandomState",
	"numpy.random._generator:Generator", "numpy.random._mt19937:MT19937",
	"numpy.random._pcg64:PCG64", "numpy.random._pcg64:PCG64DXSM",
	"numpy.random._philox:Philox", "numpy.random._sfc64:SFC64",
	"numpy:float64", "numpy:float32", "numpy:float16", "numpy:longdouble", "numpy:int64",
	"numpy:int32", "numpy:int16", "numpy:int8", "numpy:uint64", "numpy:uint32",
	"numpy:uint16", "numpy:uint8", "numpy:bool_", "numpy:complex64", "numpy:complex128",
	"numpy:intc", "numpy:uintc", "numpy:str_", "numpy:bytes_", "numpy:object_",
	"numpy:datetime64", "numpy:timedelta64", "numpy:void",
	/* joblib: the inline array of NumpyPickler (read by joblib, not imported code) */
	"joblib.numpy_pickle:NumpyArrayWrapper",
	/* scipy sparse matrices (fitted text vectorizers, ...) */
	"scipy.sparse._csr:csr_matrix", "scipy.sparse._csc:csc_matrix",
	"scipy.sparse._coo:coo_matrix", "scipy.sparse.csr:csr_matrix",
	"scipy.sparse.csc:csc_matrix", "scipy.sparse.coo:coo_matrix",
	"scipy.sparse._csr:csr_array", "scipy.sparse._csc:csc_array",
};

/* ---- deny-lists ---------------------------------------------------------- */

/* modules denied with all their submodules (modelscan, picklescan, fickling) */
static const char *deny_modules[] = {
	"__builtin__", "__builtins__", "builtins", "os", "posix", "nt", "subprocess", "sys",
	"pty", "commands", "multiprocessing", "_posixsubprocess", "code", "codeop", "runpy",
	"marshal", "types", "compile", "exec", "eval", "doctest", "_interpreters",
	"_xxsubinterpreters", "importlib", "_frozen_importlib", "_frozen_importlib_external",
	"_imp", "imp", "pkgutil", "zipimport", "gc", "site", "unittest", "inspect", "test",
	"_operator", "operator", "functools", "cProfile", "profile", "pdb", "bdb", "timeit",
	"trace", "socket", "ssl", "httplib", "http", "urllib", "urllib2", "requests",
	"aiohttp", "asyncio", "webbrowser", "smtplib", "imaplib", "ftplib", "poplib",
	"telnetlib", "nntplib", "ctypes", "_ctypes", "pickle", "_pickle", "dill",
	"cloudpickle", "joblib", "shutil", "tempfile", "filecmp", "distutils", "pydoc",
	"pexpect", "pipes", "venv", "ensurepip", "pip", "idlelib", "lib2to3", "socketserver",
	"xmlrpc", "signal", "_signal", "threading", "_thread", "atexit", "sqlite3", "_sqlite3",
	"fileinput", "glob", "platform", "linecache", "difflib", "compileall", "py_compile",
	"mmap", "select", "selectors", "logging", "syslog", "tarfile", "zipfile", "shelve",
	"uuid", "_osx_support", "_aix_support", "_pyrepl", "ssl", "numpy.f2py",
	"numpy.testing._private.utils", "numpy.distutils", "torch.hub", "torch._dynamo",
	"torch._inductor", "torch.jit", "torch.compile", "torch.utils.bottleneck",
	"torch.utils.collect_env", "torch.utils._config_module",
	"torch.utils.data.datapipes.utils.decoder", "torch.fx.experimental.symbolic_shapes",
	"torch.distributed.elastic.rendezvous", "mlflow.projects", "_io", "io", "builtins",
	"cPickle", "copy_reg", "copyreg", "sitecustomize", "usercustomize", "readline",
	"rlcompleter", "_posixshmem", "resource", "fcntl", "termios", "pwd", "spwd", "grp",
	"crypt", "_winapi", "winreg", "msvcrt",
};

/* single names denied in modules that are not denied as a whole */
static const char *deny_exact[] = {
	"torch:load", "torch:compile", "torch:hub", "torch:jit", "torch:_dynamo",
	"torch:_inductor", "torch:ops", "torch:classes", "torch:_C", "torch:from_file",
	"torch:save", "torch.serialization:load", "torch.serialization:_load",
	"torch.serialization:_legacy_load", "torch.storage:_load_from_bytes",
	"torch._weights_only_unpickler:load", "torch.package:PackageImporter",
	"numpy:load", "numpy:loadtxt", "numpy:fromfile", "numpy:genfromtxt", "numpy:save",
	"numpy.lib.npyio:load", "numpy.lib._npyio_impl:load", "numpy:fromregex",
	"numpy.lib.format:read_array", "numpy:frompyfunc", "numpy:vectorize",
	"numpy.core.multiarray:fromfile", "numpy._core.multiarray:fromfile",
	"pandas:read_pickle", "pandas.io.pickle:read_pickle", "pandas:read_csv",
	"pandas.io.parsers.readers:read_csv", "pandas:eval", "pandas.core.computation.eval:eval",
	"pandas:read_sql", "pandas:read_html", "pandas:read_json",
	"scipy.io:loadmat", "keras.models:load_model", "tensorflow:load_op_library",
	"argparse:FileType",	/* FileType(mode)(path) opens, creates or truncates a file */
};

/* builtins that compute nothing dangerous: suspicious, never dangerous */
static const char *safe_builtins[] = {
	"abs", "all", "any", "ascii", "bin", "bool", "bytearray", "bytes", "callable", "chr",
	"complex", "dict", "divmod", "enumerate", "filter", "float", "format", "frozenset",
	"hash", "hex", "id", "int", "isinstance", "issubclass", "iter", "len", "list", "map",
	"max", "min", "next", "object", "oct", "ord", "pow", "range", "repr", "reversed",
	"round", "set", "slice", "sorted", "str", "sum", "tuple", "zip",
};

/* attribute names that are dangerous anywhere in a dotted name */
static const char *deny_attrs[] = {
	"eval", "exec", "execfile", "compile", "open", "system", "popen", "getattr", "setattr",
	"delattr", "globals", "locals", "vars", "breakpoint", "input", "apply", "spawnv",
	"spawnve", "spawnl", "execv", "execve", "fork", "Popen", "check_output", "check_call",
	"call", "getoutput", "getstatusoutput", "run", "load", "loads", "import_module",
	"resolve_name", "remove", "unlink", "rmtree", "write", "write_text", "write_bytes",
	/* pathlib's methods that change the file system, reached through a path class */
	"touch", "mkdir", "rmdir", "rename", "chmod", "lchmod", "symlink_to", "hardlink_to",
	"link_to",
};

/* Python 2 module names, as pickle's fix_imports maps them (protocols < 3) */
static const char *const compat_modules[][2] = {
	{ "__builtin__", "builtins" }, { "exceptions", "builtins" },
	{ "copy_reg", "copyreg" }, { "cPickle", "pickle" }, { "cStringIO", "io" },
	{ "StringIO", "io" }, { "commands", "subprocess" }, { "Queue", "queue" },
	{ "SocketServer", "socketserver" }, { "urllib2", "urllib.request" },
	{ "httplib", "http.client" }, { "thread", "_thread" }, { "dummy_thread", "_dummy_thread" },
	{ "UserDict", "collections" }, { "UserList", "collections" },
	{ "UserString", "collections" }, { "repr", "reprlib" }, { "urlparse", "urllib.parse" },
	{ "BaseHTTPServer", "http.server" }, { "SimpleHTTPServer", "http.server" },
	{ "CGIHTTPServer", "http.server" }, { "cookielib", "http.cookiejar" },
	{ "xmlrpclib", "xmlrpc.client" }, { "SimpleXMLRPCServer", "xmlrpc.server" },
	{ "ConfigParser", "configparser" }, { "HTMLParser", "html.parser" },
	{ "_winreg", "winreg" }, { "anydbm", "dbm" }, { "whichdb", "dbm" },
	{ "dbm", "dbm.ndbm" }, { "gdbm", "dbm.gnu" }, { "dumbdbm", "dbm.dumb" },
	{ "robotparser", "urllib.robotparser" }, { "markupbase", "_markupbase" },
};

/* Python 2 (module, name) pairs that moved elsewhere than their module's map */
static const char *const compat_names[][4] = {
	{ "__builtin__", "xrange", "builtins", "range" },
	{ "__builtin__", "unicode", "builtins", "str" },
	{ "__builtin__", "basestring", "builtins", "str" },
	{ "__builtin__", "long", "builtins", "int" },
	{ "__builtin__", "unichr", "builtins", "chr" },
	{ "__builtin__", "reduce", "functools", "reduce" },
	{ "__builtin__", "intern", "sys", "intern" },
	{ "__builtin__", "raw_input", "builtins", "input" },
	{ "__builtin__", "execfile", "builtins", "exec" },
	{ "itertools", "izip", "builtins", "zip" },
	{ "itertools", "imap", "builtins", "map" },
	{ "itertools", "ifilter", "builtins", "filter" },
	{ "whichdb", "whichdb", "dbm", "whichdb" },
	{ "UserDict", "IterableUserDict", "collections", "UserDict" },
};

#define N(a) (sizeof(a) / sizeof((a)[0]))

static pthread_once_t sort_once = PTHREAD_ONCE_INIT;

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static void sort_tables(void)
{
	qsort(allow_exact, N(allow_exact), sizeof(char *), cmp_str);
	qsort(deny_modules, N(deny_modules), sizeof(char *), cmp_str);
	qsort(deny_exact, N(deny_exact), sizeof(char *), cmp_str);
	qsort(safe_builtins, N(safe_builtins), sizeof(char *), cmp_str);
	qsort(deny_attrs, N(deny_attrs), sizeof(char *), cmp_str);
}

static bool in_table(const char **t, size_t n, const char *key)
{
	return bsearch(&key, t, n, sizeof(char *), cmp_str) != NULL;
}

/* a NUL-terminated copy of @n bytes; false when it does not fit or holds a NUL */
static bool take(char *dst, size_t cap, const char *s, size_t n)
{
	if (n >= cap || memchr(s, '\0', n))
		return false;
	memcpy(dst, s, n);
	dst[n] = '\0';
	return true;
}

static bool is_ident_path(const char *s)
{
	bool start = true;

	if (!*s)
		return false;
	for (; *s; s++) {
		char ch = *s;

		if (ch == '.') {
			if (start)
				return false;
			start = true;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') || ch == '_' ||
		      (!start && ch >= '0' && ch <= '9')))
			return false;
		start = false;
	}
	return !start;
}

static bool has_prefix(const char *s, const char *pre)
{
	return strncmp(s, pre, strlen(pre)) == 0;
}

/* a class name: starts with an upper-case letter, no dots */
static bool is_class_name(const char *name)
{
	return name[0] >= 'A' && name[0] <= 'Z' && !strchr(name, '.');
}

/* open-ended families of inert classes (see the design note) */
static bool allow_family(const char *mod, const char *name)
{
	if (has_prefix(mod, "sklearn.") && is_class_name(name))
		return !strstr(mod, "._testing") && !strstr(mod, ".tests") &&
		       !strstr(mod, ".externals") && !strstr(mod, ".datasets") &&
		       !strstr(mod, "._build_utils") && !strstr(mod, ".__check_build");
	if (has_prefix(mod, "torch.nn.modules.") && is_class_name(name))
		return true;
	if ((!strcmp(mod, "__torch__") || has_prefix(mod, "__torch__.")) && !strchr(name, '.'))
		return true;
	if ((!strcmp(mod, "numpy.dtypes") || !strcmp(mod, "numpy._core._dtype")) &&
	    is_class_name(name) && strlen(name) > 5 && !strcmp(name + strlen(name) - 5, "DType"))
		return true;
	return false;
}

static bool allowed(const char *mod, const char *name)
{
	char key[KEY_MAX];

	if (snprintf(key, sizeof(key), "%s:%s", mod, name) >= (int)sizeof(key))
		return false;
	return in_table(allow_exact, N(allow_exact), key) || allow_family(mod, name);
}

static bool dunder(const char *s, size_t n)
{
	return n > 4 && s[0] == '_' && s[1] == '_' && s[n - 1] == '_' && s[n - 2] == '_';
}

/*
 * denied - the reason @mod.@name is denied, written to @why, or false.
 * Checks every dotted prefix of the full path against the module list and
 * the exact list, builtins outside the safe set, and each component of a
 * dotted name (attribute traversal) against denied top-level modules,
 * dangerous attribute names and dunders.
 */
static bool denied(const char *mod, const char *name, char *why, size_t whylen)
{
	char full[KEY_MAX], key[KEY_MAX];
	size_t mlen = strlen(mod);

	if (snprintf(full, sizeof(full), "%s.%s", mod, name) >= (int)sizeof(full))
		return false;
	/* every prefix of the path that ends at a dot, and the whole path */
	for (size_t i = 1; i <= strlen(full); i++) {
		if (full[i] != '.' && full[i] != '\0')
			continue;
		memcpy(key, full, i);
		key[i] = '\0';
		if (in_table(deny_modules, N(deny_modules), key)) {
			bool builtin = !strcmp(key, "builtins") || !strcmp(key, "__builtin__") ||
				       !strcmp(key, "__builtins__");
			/* builtins.len is merely unknown; builtins.eval is not */
			if (builtin && i == mlen && in_table(safe_builtins, N(safe_builtins), name))
				continue;
			snprintf(why, whylen, "module %s is denied", key);
			return true;
		}
		if (full[i] == '.') {
			/* split here: module = full[0..i), name = rest */
			snprintf(key, sizeof(key), "%.*s:%s", (int)i, full, full + i + 1);
			if (in_table(deny_exact, N(deny_exact), key)) {
				snprintf(why, whylen, "%.*s.%s is denied", (int)i, full, full + i + 1);
				return true;
			}
		}
	}
	/* the name is attribute traversal: every component counts; a dunder
	 * (__builtins__, __globals__, __class__ ...) reaches interpreter internals */
	for (const char *c = name; *c;) {
		size_t n = strcspn(c, ".");

		if (n < sizeof(key)) {
			memcpy(key, c, n);
			key[n] = '\0';
			if (dunder(c, n)) {
				snprintf(why, whylen, "%sname reaches %s (attribute traversal)",
					 strchr(name, '.') ? "dotted " : "", key);
				return true;
			}
			if (!strchr(name, '.'))
				break;
			if (in_table(deny_modules, N(deny_modules), key) ||
			    in_table(deny_attrs, N(deny_attrs), key)) {
				snprintf(why, whylen, "dotted name component %s is denied", key);
				return true;
			}
		}
		c += n;
		if (*c == '.')
			c++;
	}
	return false;
}

/* map a Python 2 reference the way fix_imports does; false when unchanged */
static bool compat_map(const char *mod, const char *name, char *m2, size_t m2len, char *n2,
		       size_t n2len)
{
	for (size_t i = 0; i < N(compat_names); i++)
		if (!strcmp(mod, compat_names[i][0]) && !strcmp(name, compat_names[i][1])) {
			snprintf(m2, m2len, "%s", compat_names[i][2]);
			snprintf(n2, n2len, "%s", compat_names[i][3]);
			return true;
		}
	for (size_t i = 0; i < N(compat_modules); i++)
		if (!strcmp(mod, compat_modules[i][0])) {
			snprintf(m2, m2len, "%s", compat_modules[i][1]);
			snprintf(n2, n2len, "%s", name);
			return true;
		}
	return false;
}

enum scan_verdict globals_classify(const char *module, size_t mlen, const char *name, size_t nlen,
				   char *why, size_t whylen)
{
	char mod[SCAN_GLOBAL_MAX], nm[SCAN_GLOBAL_MAX], mod2[SCAN_GLOBAL_MAX], nm2[SCAN_GLOBAL_MAX];
	char scratch[8];
	bool mapped;

	if (!why) {
		why = scratch;
		whylen = sizeof(scratch);
	}
	pthread_once(&sort_once, sort_tables);
	if (!take(mod, sizeof(mod), module, mlen) || !take(nm, sizeof(nm), name, nlen)) {
		snprintf(why, whylen, "global name too long or holds NUL bytes");
		return SCAN_DANGEROUS;
	}
	mapped = compat_map(mod, nm, mod2, sizeof(mod2), nm2, sizeof(nm2));
	if (!mapped) {
		snprintf(mod2, sizeof(mod2), "%s", mod);
		snprintf(nm2, sizeof(nm2), "%s", nm);
	}
	if (is_ident_path(mod2) && is_ident_path(nm2) && allowed(mod2, nm2)) {
		snprintf(why, whylen, "allow-listed");
		return SCAN_CLEAN;
	}
	if (denied(mod, nm, why, whylen) || (mapped && denied(mod2, nm2, why, whylen)))
		return SCAN_DANGEROUS;
	if (!is_ident_path(mod) || !is_ident_path(nm))
		snprintf(why, whylen, "not on the allow-list (not a Python identifier)");
	else if (strchr(nm, '.'))
		snprintf(why, whylen, "not on the allow-list (dotted name)");
	else
		snprintf(why, whylen, "not on the allow-list");
	return SCAN_SUSPICIOUS;
}
