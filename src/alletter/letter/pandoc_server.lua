-- A long-lived pandoc for alletter: reads one JSON request per line on stdin, answers each with a
-- JSON header line and then the converted documents' bytes, one after another, on stdout.
--
-- Starting pandoc, and each pandoc.read or pandoc.write call, costs more than a paragraph does,
-- so one process serves many letters, and a request carries the batch's chunks (top-level blocks
-- of Markdown) that the caller has not converted before — most of a letter is boilerplate it
-- keeps (convert.py): they are read in ONE call, written to DOCX in ONE call and to typst in ONE
-- call, separated by marker paragraphs, and cut apart again (the DOCX by the caller).
-- Request:  {"reader": "markdown-smart-...", "separator": "<marker text>", "chunks": ["...", ...],
--            "docx": {"chunks": [index, ...], "reference_doc": path?} | absent,
--            "typst": {"chunks": [index, ...], "to": "typst-smart", "template": path, "filter": path,
--                      "body_marker": "...", "pages": [{"metadata": {k: string}, "variables": {k: string}}]} | absent,
--            "plain": {"chunks": [index, ...]} | absent}
--           or, for a document in a file (import reads a DOCX so): {"file": path, "file_reader": "docx", "plain": …}
--           with the file's blocks as its one chunk.
-- Answer:   {"ok": true, "bytes": [sizes]} then the documents: the DOCX of its chunks, if asked
--           for; then each page (the body marker where the letter's blocks go) and the typst of
--           each of its chunks; then the plain text of each of its chunks, if asked for (import);
--           or {"ok": false, "error": "..."}
local json = pandoc.json

local function read_file(path)
  local file = assert(io.open(path, "r"))
  local text = file:read("a")
  file:close()
  return text
end

local cache = { templates = {}, filters = {} }

local function compiled_template(path)
  cache.templates[path] = cache.templates[path] or pandoc.template.compile(read_file(path), path)
  return cache.templates[path]
end

-- A filter file returns a list of filter tables, applied in order; loaded once per process.
local function filter_list(path)
  cache.filters[path] = cache.filters[path] or dofile(path)
  return cache.filters[path]
end

local function is_separator(block, separator)
  return block.t == "Para" and #block.content == 1 and block.content[1].t == "Str"
    and block.content[1].text == separator
end

-- Blocks with separator paragraphs between the groups, and back.
local function joined_blocks(groups, separator)
  local blocks = pandoc.Blocks({})
  for index, group in ipairs(groups) do
    if index > 1 then blocks:insert(pandoc.Para({ pandoc.Str(separator) })) end
    blocks:extend(group)
  end
  return blocks
end

local function split_blocks(blocks, separator)
  local groups, current = {}, pandoc.Blocks({})
  for _, block in ipairs(blocks) do
    if is_separator(block, separator) then
      groups[#groups + 1], current = current, pandoc.Blocks({})
    else
      current:insert(block)
    end
  end
  groups[#groups + 1] = current
  return groups
end

local function split_text(text, separator)
  local pieces, start = {}, 1
  while true do
    local found, stop = text:find(separator, start, true)
    local piece = text:sub(start, (found or 0) - 1):gsub("^%s+", ""):gsub("%s+$", "")
    pieces[#pieces + 1] = piece .. "\n"
    if not found then return pieces end
    start = stop + 1
  end
end

-- The blocks of each chunk. An empty read environment: the reader runs sandboxed and can open no file.
local function read_chunks(texts, reader, separator)
  local joined = table.concat(texts, "\n\n" .. separator .. "\n\n")
  local groups = split_blocks(pandoc.read(joined, reader, {}, {}).blocks, separator)
  if #groups ~= #texts then -- a block that swallowed its separator: read one by one
    for index, text in ipairs(texts) do
      groups[index] = pandoc.read(text, reader, {}, {}).blocks
    end
  end
  return groups
end

local function chosen(groups, indices)
  local picked = {}
  for position, index in ipairs(indices) do picked[position] = groups[index] end
  return picked
end

local function write_docx(groups, separator, options)
  return pandoc.write(pandoc.Pandoc(joined_blocks(groups, separator)), "docx", { reference_doc = options.reference_doc })
end

local function filtered(doc, options)
  for _, filter in ipairs(filter_list(options.filter)) do
    doc = doc:walk(filter)
  end
  return doc
end

-- The typst of each group of blocks: the filters and the typst writer see chunks, never a whole letter.
local function write_typst(groups, separator, options)
  local writer_options = { wrap_text = "wrap-none" }
  local doc = filtered(pandoc.Pandoc(joined_blocks(groups, separator)), options)
  local pieces = split_text(pandoc.write(doc, options.to, writer_options), separator)
  if #pieces ~= #groups then -- a block that swallowed its separator: write one by one
    for index, group in ipairs(groups) do
      pieces[index] = pandoc.write(filtered(pandoc.Pandoc(group), options), options.to, writer_options)
    end
  end
  return pieces
end

-- The plain text of each group of blocks, unwrapped (import compares letters word by word).
local function write_plain(groups, separator)
  local writer_options = { wrap_text = "wrap-none" }
  local pieces = split_text(pandoc.write(pandoc.Pandoc(joined_blocks(groups, separator)), "plain", writer_options), separator)
  if #pieces ~= #groups then -- a block that swallowed its separator: write one by one
    for index, group in ipairs(groups) do
      pieces[index] = pandoc.write(pandoc.Pandoc(group), "plain", writer_options)
    end
  end
  return pieces
end

-- The blocks of a document in a file, as the one chunk of a request (the reader is sandboxed: the
-- file is opened here).
local function read_document_file(path, reader)
  local file = assert(io.open(path, "rb"))
  local content = file:read("a")
  file:close()
  return { pandoc.read(content, reader, {}, {}).blocks }
end

-- The page around a letter, with the body marker where its blocks go: the caller puts them there.
-- (pandoc's template engine would lay out the body too, ten times the cost of the rest.)
local function write_page(page, options)
  local context = { body = options.body_marker }
  for key, value in pairs(page.variables or {}) do
    context[key] = value
  end
  for key, value in pairs(page.metadata or {}) do
    context[key] = value
  end
  return pandoc.layout.render(pandoc.template.apply(compiled_template(options.template), context))
end

local function convert(request)
  local groups
  if request.file then
    groups = read_document_file(request.file, request.file_reader)
  else
    groups = #request.chunks > 0 and read_chunks(request.chunks, request.reader, request.separator) or {}
  end
  local documents = {}
  if request.docx then
    documents[#documents + 1] = write_docx(chosen(groups, request.docx.chunks), request.separator, request.docx)
  end
  if request.typst then
    for _, page in ipairs(request.typst.pages) do
      documents[#documents + 1] = write_page(page, request.typst)
    end
    if #request.typst.chunks > 0 then
      for _, piece in ipairs(write_typst(chosen(groups, request.typst.chunks), request.separator, request.typst)) do
        documents[#documents + 1] = piece
      end
    end
  end
  if request.plain then
    for _, piece in ipairs(write_plain(chosen(groups, request.plain.chunks), request.separator)) do
      documents[#documents + 1] = piece
    end
  end
  local sizes = {}
  for index, document in ipairs(documents) do
    sizes[index] = #document
  end
  return documents, sizes
end

for line in io.stdin:lines() do
  local ok, documents, sizes = pcall(function() return convert(json.decode(line)) end)
  if ok then
    io.stdout:write(json.encode({ ok = true, bytes = sizes }), "\n", table.concat(documents))
  else
    io.stdout:write(json.encode({ ok = false, error = tostring(documents) }), "\n")
  end
  io.stdout:flush()
  collectgarbage()
end
