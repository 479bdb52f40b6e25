import Clibgit2
#if canImport(Glibc)
import Glibc
#endif

/// A person and a moment, as a commit's author or committer records them.
public struct Identity: Sendable, Equatable {
    public let name: String
    public let email: String
    /// Seconds since the epoch.
    public let time: Int64
    /// Offset from UTC in minutes.
    public let offsetMinutes: Int32

    public init(name: String, email: String, time: Int64, offsetMinutes: Int32) {
        self.name = name
        self.email = email
        self.time = time
        self.offsetMinutes = offsetMinutes
    }

    /// The signature libgit2 wants; freed by the caller.
    func signature() throws(GitError) -> UnsafeMutablePointer<git_signature> {
        var signature: UnsafeMutablePointer<git_signature>?
        try check("git_signature_new", git_signature_new(&signature, name, email, git_time_t(time), Int32(offsetMinutes)))
        return signature!
    }
}

extension Repository {
    /// A value from a snapshot of the configuration (a live configuration refuses string reads).
    public func configString(_ key: String) throws(GitError) -> String? {
        var config: OpaquePointer?
        try check("git_repository_config_snapshot", git_repository_config_snapshot(&config, pointer))
        defer { git_config_free(config) }
        var value: UnsafePointer<CChar>?
        let result = git_config_get_string(&value, config, key)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check("git_config_get_string", result)
        return value.map { String(cString: $0) }
    }

    /// Writes a blob.
    public func createBlob(_ bytes: [UInt8]) throws(GitError) -> ObjectID {
        var oid = git_oid()
        let result = bytes.withUnsafeBytes { git_blob_create_from_buffer(&oid, pointer, $0.baseAddress, $0.count) }
        try check("git_blob_create_from_buffer", result)
        return ObjectID(oid)
    }

    /// A change to a tree: put a blob at a path (with its file mode), or remove the path.
    public struct TreeUpdate: Sendable {
        public let path: String
        /// nil removes the path.
        public let blob: ObjectID?
        /// A git file mode: 0o100644, 0o100755 or 0o120000 (a symlink).
        public let mode: UInt32

        public init(path: String, blob: ObjectID, executable: Bool) {
            self.init(path: path, blob: blob, mode: executable ? 0o100755 : 0o100644)
        }

        public init(path: String, blob: ObjectID?, mode: UInt32) {
            self.path = path
            self.blob = blob
            self.mode = mode
        }

        public static func remove(_ path: String) -> TreeUpdate { TreeUpdate(path: path, blob: nil, mode: 0) }
    }

    /// A new tree: `base` with the given paths replaced, added or removed. Only the changed
    /// subtrees are written.
    public func createTree(from base: Tree, updating updates: [TreeUpdate]) throws(GitError) -> ObjectID {
        try createTree(fromTreeID: base.id, updating: updates)
    }

    public func createTree(fromTreeID baseID: ObjectID, updating updates: [TreeUpdate]) throws(GitError) -> ObjectID {
        let base = try lookupTree(baseID)
        defer { git_tree_free(base) }
        var oid = git_oid()
        let paths = updates.map { strdup($0.path)! }
        defer { paths.forEach { free($0) } }
        var raw = updates.enumerated().map { index, update in
            git_tree_update(action: update.blob == nil ? GIT_TREE_UPDATE_REMOVE : GIT_TREE_UPDATE_UPSERT,
                            id: update.blob?.raw ?? git_oid(), filemode: git_filemode_t(update.mode),
                            path: UnsafePointer(paths[index]))
        }
        let result = raw.withUnsafeMutableBufferPointer { git_tree_create_updated(&oid, pointer, base, $0.count, $0.baseAddress) }
        try check("git_tree_create_updated", result)
        return ObjectID(oid)
    }

    /// Writes a commit without moving any reference (refs move later, all together).
    public func createCommit(tree: ObjectID, parents: [ObjectID], message: String, author: Identity, committer: Identity) throws(GitError) -> ObjectID {
        var treeOID = tree.raw
        var treeObject: OpaquePointer?
        try check("git_tree_lookup", git_tree_lookup(&treeObject, pointer, &treeOID))
        defer { git_tree_free(treeObject) }
        var parentObjects: [OpaquePointer?] = []
        defer { parentObjects.forEach { git_commit_free($0) } }
        for parent in parents {
            var oid = parent.raw
            var commit: OpaquePointer?
            try check("git_commit_lookup", git_commit_lookup(&commit, pointer, &oid))
            parentObjects.append(commit)
        }
        let authorSignature = try author.signature()
        defer { git_signature_free(authorSignature) }
        let committerSignature = try committer.signature()
        defer { git_signature_free(committerSignature) }
        var oid = git_oid()
        let result = parentObjects.withUnsafeMutableBufferPointer { buffer in
            buffer.withMemoryRebound(to: OpaquePointer?.self) { parentsPointer in
                git_commit_create(&oid, pointer, nil, authorSignature, committerSignature, "UTF-8", message, treeObject,
                                  parents.count, parentsPointer.baseAddress)
            }
        }
        try check("git_commit_create", result)
        return ObjectID(oid)
    }

    /// Writes an annotated tag object (no reference yet).
    public func createTagObject(name: String, target: ObjectID, message: String, tagger: Identity) throws(GitError) -> ObjectID {
        var targetOID = target.raw
        var object: OpaquePointer?
        try check("git_object_lookup", git_object_lookup(&object, pointer, &targetOID, GIT_OBJECT_COMMIT))
        defer { git_object_free(object) }
        let signature = try tagger.signature()
        defer { git_signature_free(signature) }
        var oid = git_oid()
        try check("git_tag_annotation_create", git_tag_annotation_create(&oid, pointer, name, object, signature, message))
        return ObjectID(oid)
    }

    /// The id a reference points to directly, or nil when it does not exist.
    public func referenceTarget(_ name: String) throws(GitError) -> ObjectID? {
        var reference: OpaquePointer?
        let result = git_reference_lookup(&reference, pointer, name)
        if result == GIT_ENOTFOUND.rawValue { return nil }
        try check("git_reference_lookup", result)
        defer { git_reference_free(reference) }
        return git_reference_target(reference).map { ObjectID($0) }
    }

    /// Whether `commit` is `ancestor` or has it in its history.
    public func contains(_ commit: ObjectID, ancestor: ObjectID) throws(GitError) -> Bool {
        if commit == ancestor { return true }
        if let known = try fastHistory.isAncestor(ancestor, of: commit) { return known }
        var a = commit.raw, b = ancestor.raw
        let result = git_graph_descendant_of(pointer, &a, &b)
        try check("git_graph_descendant_of", result)
        return result == 1
    }

    /// One reference change of a transaction: `expected` nil means the reference must not exist;
    /// `target` nil deletes it.
    public struct ReferenceUpdate: Sendable {
        public let name: String
        public let expected: ObjectID?
        public let target: ObjectID?

        public init(name: String, expected: ObjectID?, target: ObjectID?) {
            self.name = name
            self.expected = expected
            self.target = target
        }
    }

    /// Moves several references together: every one is locked first, then each is checked to be
    /// where the caller planned from (compare-and-swap); only then are all written, each with a
    /// reflog entry. If a lock or a check fails, nothing moves. libgit2 writes the locked
    /// references one by one: a failure part-way is `.partial`, naming those already moved (the
    /// caller puts them back, or journals them).
    public func updateReferences(_ updates: [ReferenceUpdate], committer: Identity, reflogMessage: String) throws(ReferenceUpdateError) {
        var transaction: OpaquePointer?
        do { try check("git_transaction_new", git_transaction_new(&transaction, pointer)) } catch { throw .git(error) }
        defer { git_transaction_free(transaction) }
        for update in updates {
            let result = git_transaction_lock_ref(transaction, update.name)
            if result < 0 {
                let error = GitError.last("git_transaction_lock_ref", result)
                throw result == GIT_ELOCKED.rawValue ? .locked(update.name, lockFile: commonDirectory + update.name + ".lock") : .git(error)
            }
        }
        for update in updates {
            let current: ObjectID?
            do { current = try referenceTarget(update.name) } catch { throw .git(error) }
            if current != update.expected { throw .moved(name: update.name, expected: update.expected, found: current) }
        }
        let signature: UnsafeMutablePointer<git_signature>
        do { signature = try committer.signature() } catch { throw .git(error) }
        defer { git_signature_free(signature) }
        for update in updates {
            let result: Int32
            if let target = update.target {
                var oid = target.raw
                result = git_transaction_set_target(transaction, update.name, &oid, signature, reflogMessage)
            } else {
                result = git_transaction_remove(transaction, update.name)
            }
            if result < 0 { throw .git(GitError.last("git_transaction_set_target", result)) }
        }
        let result = git_transaction_commit(transaction)
        if result < 0 {
            let error = GitError.last("git_transaction_commit", result)
            let moved = updates.filter { (try? referenceTarget($0.name)) == $0.target && $0.target != $0.expected }.map(\.name)
            throw moved.isEmpty ? .git(error) : .partial(moved: moved, error)
        }
    }

    /// The paths, of those given, that differ between HEAD, the index and the work tree: one
    /// status scan for all of them (`git_status_file` rescans the work tree for each path).
    public func modifiedPaths(_ paths: [String]) throws(GitError) -> [String] {
        guard !paths.isEmpty else { return [] }
        var options = git_status_options()
        try check("git_status_options_init", git_status_options_init(&options, UInt32(GIT_STATUS_OPTIONS_VERSION)))
        options.show = GIT_STATUS_SHOW_INDEX_AND_WORKDIR
        options.flags = GIT_STATUS_OPT_DISABLE_PATHSPEC_MATCH.rawValue | GIT_STATUS_OPT_EXCLUDE_SUBMODULES.rawValue
        let cPaths = paths.map { strdup($0) }
        defer { cPaths.forEach { free($0) } }
        var list: OpaquePointer?
        var mutablePaths = cPaths
        let result = mutablePaths.withUnsafeMutableBufferPointer { buffer -> Int32 in
            options.pathspec = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return git_status_list_new(&list, pointer, &options)
        }
        try check("git_status_list_new", result)
        defer { git_status_list_free(list) }
        var modified: [String] = []
        for index in 0..<git_status_list_entrycount(list) {
            guard let entry = git_status_byindex(list, index), entry.pointee.status.rawValue & ~GIT_STATUS_IGNORED.rawValue != 0 else { continue }
            let delta = entry.pointee.index_to_workdir ?? entry.pointee.head_to_index
            if let path = delta?.pointee.old_file.path ?? delta?.pointee.new_file.path { modified.append(String(cString: path)) }
        }
        return modified.sorted()
    }

    /// Brings the index and work tree from commit `baseline` to commit `target`, refusing to
    /// overwrite local changes (a safe checkout). Only what differs between the two trees is
    /// written; other paths, modified or untracked, are not touched.
    /// Whether the index already holds the tree of `commit` (a checkout to it has been done).
    public func indexMatches(commit: ObjectID) throws(GitError) -> Bool {
        var commitOID = commit.raw
        var commitObject: OpaquePointer?
        try check("git_commit_lookup", git_commit_lookup(&commitObject, pointer, &commitOID))
        defer { git_commit_free(commitObject) }
        var tree: OpaquePointer?
        try check("git_commit_tree", git_commit_tree(&tree, commitObject))
        defer { git_tree_free(tree) }
        var index: OpaquePointer?
        try check("git_repository_index", git_repository_index(&index, pointer))
        defer { git_index_free(index) }
        var diff: OpaquePointer?
        try check("git_diff_tree_to_index", git_diff_tree_to_index(&diff, pointer, tree, index, nil))
        defer { git_diff_free(diff) }
        return git_diff_num_deltas(diff) == 0
    }

    /// Writes the given paths of `commit` into the index and the work tree, whatever is there
    /// (the completion of a checkout that was interrupted: the caller checked each file first).
    public func forceCheckout(paths: [String], of commit: ObjectID) throws(GitError) {
        guard !paths.isEmpty else { return }
        var options = git_checkout_options()
        try check("git_checkout_options_init", git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)))
        options.checkout_strategy = GIT_CHECKOUT_FORCE.rawValue | GIT_CHECKOUT_DISABLE_PATHSPEC_MATCH.rawValue
        let targetTree = try tree(ofCommit: commit)
        let cPaths = paths.map { strdup($0) }
        defer { cPaths.forEach { free($0) } }
        var mutablePaths = cPaths
        let result = mutablePaths.withUnsafeMutableBufferPointer { buffer -> Int32 in
            options.paths = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return git_checkout_tree(pointer, targetTree.pointer, &options)
        }
        try check("git_checkout_tree", result)
    }

    /// Sets the index entries of `paths` to those of `commit`, the work tree untouched (`git reset
    /// COMMIT -- PATHS`).
    public func resetIndex(paths: [String], to commit: ObjectID) throws(GitError) {
        guard !paths.isEmpty else { return }
        var oid = commit.raw
        var object: OpaquePointer?
        try check("git_object_lookup", git_object_lookup(&object, pointer, &oid, GIT_OBJECT_COMMIT))
        defer { git_object_free(object) }
        let cPaths = paths.map { strdup($0) }
        defer { cPaths.forEach { free($0) } }
        var mutablePaths = cPaths
        let result = mutablePaths.withUnsafeMutableBufferPointer { buffer -> Int32 in
            var list = git_strarray(strings: buffer.baseAddress, count: buffer.count)
            return git_reset_default(pointer, object, &list)
        }
        try check("git_reset_default", result)
    }

    /// Whether `id` (a commit, or a tag object of one) and everything it names that the commit's
    /// first parent does not are in the object database: what must hold before a ref may point at it.
    public func isComplete(_ id: ObjectID) -> Bool {
        var oid = id.raw
        var tag: OpaquePointer?
        if git_tag_lookup(&tag, pointer, &oid) == 0 {
            defer { git_tag_free(tag) }
            return isComplete(ObjectID(git_tag_target_id(tag)))
        }
        return isComplete(commit: id)
    }

    func isComplete(commit: ObjectID) -> Bool {
        guard let object = try? self.commit(commit) else { return false }
        let parentTree = object.parents.first.flatMap { try? self.commit($0).tree }
        guard let odb = try? objectDatabase() else { return false }
        defer { git_odb_free(odb) }
        func exists(_ id: ObjectID) -> Bool {
            var oid = id.raw
            return git_odb_exists(odb, &oid) == 1
        }
        guard let missing = try? newObjects(from: parentTree, to: object.tree, known: exists) else { return false }
        return missing.isEmpty
    }

    func objectDatabase() throws(GitError) -> OpaquePointer {
        var odb: OpaquePointer?
        try check("git_repository_odb", git_repository_odb(&odb, pointer))
        return odb!
    }

    public func checkout(to target: ObjectID, from baseline: ObjectID) throws(GitError) {
        var options = git_checkout_options()
        try check("git_checkout_options_init", git_checkout_options_init(&options, UInt32(GIT_CHECKOUT_OPTIONS_VERSION)))
        options.checkout_strategy = GIT_CHECKOUT_SAFE.rawValue
        let targetTree = try tree(ofCommit: target)
        let baselineTree = try tree(ofCommit: baseline)
        options.baseline = baselineTree.pointer
        try check("git_checkout_tree", git_checkout_tree(pointer, targetTree.pointer, &options))
    }
}

/// Why a set of reference moves did not happen.
public enum ReferenceUpdateError: Error, Sendable, CustomStringConvertible {
    /// A lock file of the reference exists: another git process holds it, or a killed one left it.
    case locked(String, lockFile: String)
    /// The reference is not where the plan expected it.
    case moved(name: String, expected: ObjectID?, found: ObjectID?)
    case git(GitError)
    /// Writing failed after these references had moved (the others did not).
    case partial(moved: [String], GitError)

    public var description: String {
        switch self {
        case .locked(let name, let lockFile):
            return "\(name) is locked: \(lockFile) exists. A git command may be running; if none is (`pgrep -a git` lists none), a killed one left it: remove it with `rm '\(lockFile)'`"
        case .moved(let name, let expected, let found):
            switch (expected, found) {
            case (nil, let found?): return "\(name) exists already (at \(found.short))"
            case (let expected?, nil): return "\(name) was deleted (it was at \(expected.short))"
            case (let expected?, let found?): return "\(name) moved from \(expected.short) to \(found.short) meanwhile"
            default: return "\(name) changed meanwhile"
            }
        case .git(let error): return error.description
        case .partial(let moved, let error): return "\(error) (after moving \(moved.joined(separator: ", ")))"
        }
    }
}

extension Repository {
    /// Whether a local branch is checked out in any worktree of this repository: a worktree's
    /// HEAD names it (the main one's HEAD, unless the repository is bare, and each
    /// `worktrees/*/HEAD`). Read as files: libgit2's git_branch_is_checked_out opens every worktree
    /// as a repository, configuration and all, for the same answer (a millisecond per backport).
    public func isBranchCheckedOut(_ name: String) -> Bool {
        let wanted = Array("ref: refs/heads/\(name)".utf8)
        func names(_ path: String) -> Bool {
            guard var bytes = readSmallFile(path, limit: 4096) else { return false }
            while let last = bytes.last, last == 0x0A || last == 0x0D || last == 0x20 { bytes.removeLast() }
            return bytes == wanted
        }
        if !isBare, names(commonDirectory + "HEAD") { return true }
        return directoryEntries(commonDirectory + "worktrees").contains { names(commonDirectory + "worktrees/" + $0 + "/HEAD") }
    }
}

/// New objects collected in memory and written to the object database as one pack: a commit
/// that changes two thousand files costs one pack file, not two thousand loose objects.
///
/// The batch has a repository handle of its own: libgit2 cannot take a backend out of an object
/// database again, so objects made after the batch (tag objects) go through the original handle.
/// The pack holds exactly the new objects of the written commits: each commit, and the blobs and
/// subtrees along the paths it changed that the repository does not have yet (libgit2's own
/// mempack dump would pack each commit's whole tree).
public final class ObjectBatch {
    /// Write blobs, trees and commits through this handle.
    public let repository: Repository
    let origin: Repository
    let odb: OpaquePointer
    let originODB: OpaquePointer
    private var written = false

    init(origin: Repository) throws(GitError) {
        self.origin = origin
        repository = try Repository.open(at: origin.gitDirectory)
        var originODB: OpaquePointer?
        try check("git_repository_odb", git_repository_odb(&originODB, origin.pointer))
        self.originODB = originODB!
        var odb: OpaquePointer?
        try check("git_repository_odb", git_repository_odb(&odb, repository.pointer))
        var backend: OpaquePointer?
        let created = git_mempack_new(&backend)
        if created < 0 {
            git_odb_free(odb)
            throw GitError.last("git_mempack_new", created)
        }
        // Highest priority: writes land in memory until the batch is written out.
        let added = git_odb_add_backend(odb, backend, 1000)
        if added < 0 {
            git_odb_free(odb)
            throw GitError.last("git_odb_add_backend", added)
        }
        self.odb = odb!
    }

    deinit {
        git_odb_free(odb)
        git_odb_free(originODB)
    }

    func existsInRepository(_ id: ObjectID) -> Bool {
        var oid = id.raw
        return git_odb_exists(originODB, &oid) == 1
    }

    /// git's `transfer.unpackLimit`: up to this many objects are written loose, more as a pack.
    public static let looseObjectLimit = 100

    /// Writes the given commits of the batch, with the new trees and blobs they reach, into the
    /// repository: loose objects when they are few (as git writes its own commits: a pack per
    /// backport would leave one more pack for every lookup to search until `git gc`), else one
    /// pack and its index.
    ///
    /// Children before parents: blobs, then each tree after its subtrees, each commit last. A
    /// write that is killed or fails part-way leaves only objects whose own children are there,
    /// so an object found present can be trusted. A tree found present is still walked (against
    /// the parent commit's tree), so that objects missing under it (left so by an older relkit,
    /// or damaged) are written too. `afterEach` is called after each object written (tests).
    public func write(commits: [ObjectID], afterEach: ((Int) -> Void)? = nil) throws(GitError) {
        guard !written, !commits.isEmpty else { return }
        var objects: [ObjectID] = []
        var seen = Set<ObjectID>()
        for id in commits {
            let commit = try repository.commit(id)
            let parentTree = try commit.parents.first.map { parent throws(GitError) in try repository.commit(parent).tree }
            for object in (try repository.newObjects(from: parentTree, to: commit.tree, known: existsInRepository)) + [id]
            where seen.insert(object).inserted && (object != id || !existsInRepository(id)) {
                objects.append(object)
            }
        }
        if objects.count <= Self.looseObjectLimit {
            for (index, object) in objects.enumerated() {
                var oid = object.raw
                var raw: OpaquePointer?
                try check("git_odb_read", git_odb_read(&raw, odb, &oid))
                defer { git_odb_object_free(raw) }
                var stored = git_oid()
                try check("git_odb_write", git_odb_write(&stored, originODB, git_odb_object_data(raw), git_odb_object_size(raw), git_odb_object_type(raw)))
                afterEach?(index + 1)
            }
            written = true
            return
        }
        // One pack: it becomes visible only when its index is renamed into place, all at once.
        var builder: OpaquePointer?
        try check("git_packbuilder_new", git_packbuilder_new(&builder, repository.pointer))
        defer { git_packbuilder_free(builder) }
        git_packbuilder_set_threads(builder, 1)
        for object in objects {
            var oid = object.raw
            try check("git_packbuilder_insert", git_packbuilder_insert(builder, &oid, nil))
        }
        var buffer = git_buf()
        defer { git_buf_dispose(&buffer) }
        try check("git_packbuilder_write_buf", git_packbuilder_write_buf(&buffer, builder))
        var writer: UnsafeMutablePointer<git_odb_writepack>?
        try check("git_odb_write_pack", git_odb_write_pack(&writer, originODB, nil, nil))
        defer { relkit_writepack_free(writer) }
        var stats = git_indexer_progress()
        try check("git_odb_writepack.append", relkit_writepack_append(writer, buffer.ptr, buffer.size, &stats))
        try check("git_odb_writepack.commit", relkit_writepack_commit(writer, &stats))
        written = true
    }
}

extension Repository {
    /// Starts collecting new commits in memory; `write(commits:)` puts them in the repository.
    public func beginObjectBatch() throws(GitError) -> ObjectBatch { try ObjectBatch(origin: self) }

    /// The trees and blobs of `new` that `old` does not have and `known` says the repository
    /// lacks: the changed files, the subtrees along changed paths and the new tree itself, each
    /// tree after everything under it.
    func newObjects(from old: ObjectID?, to new: ObjectID, known: (ObjectID) -> Bool) throws(GitError) -> [ObjectID] {
        var result: [ObjectID] = []
        try collectNew(old, new, known: known, into: &result)
        return result
    }

    private func collectNew(_ old: ObjectID?, _ new: ObjectID, known: (ObjectID) -> Bool, into result: inout [ObjectID]) throws(GitError) {
        if old == new { return }
        let newTree = try lookupTree(new)
        defer { git_tree_free(newTree) }
        var oldEntries: [String: (id: ObjectID, mode: UInt32)] = [:]
        if let old {
            let oldTree = try lookupTree(old)
            defer { git_tree_free(oldTree) }
            for index in 0..<git_tree_entrycount(oldTree) {
                guard let entry = git_tree_entry_byindex(oldTree, index) else { continue }
                oldEntries[String(cString: git_tree_entry_name(entry))] = (ObjectID(git_tree_entry_id(entry)), UInt32(git_tree_entry_filemode(entry).rawValue))
            }
        }
        for index in 0..<git_tree_entrycount(newTree) {
            guard let entry = git_tree_entry_byindex(newTree, index) else { continue }
            let id = ObjectID(git_tree_entry_id(entry)), mode = UInt32(git_tree_entry_filemode(entry).rawValue)
            let before = oldEntries[String(cString: git_tree_entry_name(entry))]
            if before?.id == id { continue }
            if mode == 0o040000 {
                try collectNew(before?.mode == 0o040000 ? before?.id : nil, id, known: known, into: &result)
            } else if mode != 0o160000 && !known(id) {
                result.append(id)
            }
        }
        // After its children: a tree is written only once everything it names is there.
        if !known(new) { result.append(new) }
    }
}
