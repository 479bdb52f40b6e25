internal import Clibgit2

extension Repository {
    /// Whether `id` (a commit, or a tag object of one) and everything it names that the commit's
    /// first parent does not are in the object database: what must hold before a ref may point at it.
    ///
    /// - Parameter id: a commit or a tag object.
    /// - Returns: whether everything it needs is there.
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
    /// The batch's object database (the mempack backend in it) and the repository's own.
    private let database: Handle
    private let originDatabase: Handle
    var odb: OpaquePointer { database.pointer }
    var originODB: OpaquePointer { originDatabase.pointer }
    private var written = false

    init(origin: Repository) throws(GitError) {
        self.origin = origin
        repository = try Repository.open(at: origin.gitDirectory)
        originDatabase = try Handle.objectDatabase(of: origin.pointer)
        database = try Handle.objectDatabase(of: repository.pointer)
        var backend: UnsafeMutablePointer<git_odb_backend>?
        try check("git_mempack_new", Fault.result("git_mempack_new", git_mempack_new(&backend)))
        // Highest priority: writes land in memory until the batch is written out. The database
        // owns the backend once added; until then it is freed here.
        let added = Fault.result("git_odb_add_backend", git_odb_add_backend(database.pointer, backend, 1000))
        if added < 0 {
            let error = GitError.last("git_odb_add_backend", added)
            relkit_odb_backend_free(backend)
            throw error
        }
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
    ///
    /// - Parameters:
    ///   - commits: the batch's commits to write.
    ///   - afterEach: called with the count of objects written so far.
    /// - Throws: `GitError` naming the failed call.
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
            let id = ObjectID(git_tree_entry_id(entry))
            let mode = UInt32(git_tree_entry_filemode(entry).rawValue)
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
