/* SPDX-License-Identifier: LGPL-2.1-or-later */
/*
 * Named test trees: parse a trees file (see the conformance corpus
 * README), build one tree in a fresh temporary directory, remove it.
 *
 * A built tree lives in TMP/tree, where TMP comes from mkdtemp() under
 * $TMPDIR (or /tmp): a resolver that wrongly escapes the tree top lands
 * in our own directory, not in $TMPDIR, and is cleaned up with it.
 *
 * In a symlink target the token @ROOT@ stands for the absolute real path
 * of the tree top, which is only known once the tree is built.
 */
#ifndef TESTS_TREE_H
#define TESTS_TREE_H

#include <stddef.h>
#include <sys/types.h>

#define TREE_ROOT_TOKEN "@ROOT@"

enum tree_kind { TREE_DIR, TREE_FILE, TREE_FIFO, TREE_SOCK, TREE_SYMLINK };

struct tree_entry {
	enum tree_kind kind;
	char *path;    /* relative to the tree top */
	char *target;  /* symlinks only, verbatim, may hold @ROOT@ */
	int line;
};

struct tree_def {
	char *name;
	int line;
	struct tree_entry *entries;
	size_t n;
};

struct tree_set {
	const char *file;
	struct tree_def *trees;
	size_t n;
};

struct tree_build {
	char *tmpdir;  /* real path of what mkdtemp() made; removed whole */
	char *top;     /* real path of the tree top */
	int topfd;     /* O_PATH|O_DIRECTORY fd of the tree top */
};

/* Parse FILE into SET. Returns 0, or -1 after printing FILE:LINE: why. */
int tree_set_load(struct tree_set *set, const char *file);
void tree_set_free(struct tree_set *set);
const struct tree_def *tree_set_find(const struct tree_set *set,
                                     const char *name);

/* Build DEF. Returns 0, or -1 after printing why (nothing is left). */
int tree_build(const struct tree_def *def, struct tree_build *b);
/* Remove the whole temporary directory and free B. Returns 0 or -1. */
int tree_destroy(struct tree_build *b);

/* Copy S to a new string with every @ROOT@ replaced by ROOT. */
char *tree_subst_root(const char *s, const char *root);

/* Find an object by identity under the tree top (not following
 * symlinks); writes its relative path ("." for the top) into BUF.
 * Returns 0 if found, -1 otherwise. For diagnostics. */
int tree_find_inode(const struct tree_build *b, dev_t dev, ino_t ino,
                    char *buf, size_t bufsz);

#endif /* TESTS_TREE_H */
