-- A long-lived pandoc for alletter: reads one JSON request per line on stdin, answers each with a
-- JSON header line and then the converted documents' bytes, one after another, on stdout.
--
-- Starting pandoc, and each DOCX it writes, has a fixed cost larger than converting a letter, so
-- one process serves many letters, and a request carries a batch of letters: each is read once,
-- written to typst on its own, and all go into ONE DOCX, separated by a marker paragraph, which
-- the caller splits into one DOCX per letter (docx_package.py).
-- Request:  {"reader": "markdown-smart-...", "separator": "<marker text>",
--            "letters": [{"markdown": "...", "metadata": {k: string}, "variables": {k: string}}],
--            "docx": {"reference_doc": path?} | absent,
--            "typst": {"to": "typst-smart", "template": path, "filter": path} | absent}
-- Answer:   {"ok": true, "bytes": [DOCX?, typst 1, typst 2, ...]} then those documents,
--           or {"ok": false, "error": "..."}
local json = pandoc.json

local function read_file(path)
  local file = assert(io.open(path, "r"))
  local text = file:read("a")
  file:close()
  return text
end

local cache = { templates = {}, filters = {} }
local MAX_CACHED_CHUNKS = 20000

local function compiled_template(path)
  cache.templates[path] = cache.templates[path] or pandoc.template.compile(read_file(path), path)
  return cache.templates[path]
end

-- A filter file returns a list of filter tables, applied in order; loaded once per process.
local function filter_list(path)
  cache.filters[path] = cache.filters[path] or dofile(path)
  return cache.filters[path]
end

-- typst is written block by block, each distinct block once, and the page template applied
-- around the result: the filters and the typst writer only ever see one top-level block.
local written_typst, written_count = {}, 0

local function typst_block(chunk, options)
  local written = written_typst[chunk.text]
  if not written then
    local doc = pandoc.Pandoc(chunk.blocks)
    for _, filter in ipairs(filter_list(options.filter)) do
      doc = doc:walk(filter)
    end
    written = pandoc.write(doc, options.to, { wrap_text = "wrap-none" })
    if written_count >= MAX_CACHED_CHUNKS then
      written_typst, written_count = {}, 0
    end
    written_typst[chunk.text], written_count = written, written_count + 1
  end
  return written
end

local function write_typst(chunks, letter, options)
  local body = {}
  for index, chunk in ipairs(chunks) do
    body[index] = typst_block(chunk, options)
  end
  local context = { body = table.concat(body, "\n") }
  for key, value in pairs(letter.variables or {}) do
    context[key] = value
  end
  for key, value in pairs(letter.metadata or {}) do
    context[key] = value
  end
  local rendered = pandoc.template.apply(compiled_template(options.template), context)
  return pandoc.layout.render(rendered)
end

local function write_docx(letters_chunks, separator, options)
  local blocks = pandoc.Blocks({})
  for index, chunks in ipairs(letters_chunks) do
    if index > 1 then
      blocks:insert(pandoc.Para({ pandoc.Str(separator) }))
    end
    for _, chunk in ipairs(chunks) do
      blocks:extend(chunk.blocks)
    end
  end
  return pandoc.write(pandoc.Pandoc(blocks), "docx", { reference_doc = options.reference_doc })
end

-- The letter's top-level blocks: paragraphs, lists and whole ::: fenced divs (which may hold
-- blank lines), each ending at a blank line outside any fence.
local function top_level_chunks(markdown)
  local chunks, current, depth = {}, {}, 0
  for line in (markdown .. "\n"):gmatch("(.-)\n") do
    if line:match("^:::+%s*$") and depth > 0 then
      depth = depth - 1
    elseif line:match("^:::+%s*[%w{]") then
      depth = depth + 1
    end
    if line:match("^%s*$") and depth == 0 then
      if #current > 0 then
        chunks[#chunks + 1] = table.concat(current, "\n")
        current = {}
      end
    else
      current[#current + 1] = line
    end
  end
  if #current > 0 then chunks[#chunks + 1] = table.concat(current, "\n") end
  return chunks
end

-- Most of a letter is boilerplate shared by every letter: each distinct block is parsed once.
local parsed_chunks, cached_count = {}, 0

-- The letter as a list of {text = its Markdown, blocks = what pandoc read from it}.
local function read_letter(markdown, reader)
  local chunks = {}
  for _, chunk in ipairs(top_level_chunks(markdown)) do
    local parsed = parsed_chunks[chunk]
    if not parsed then
      -- An empty read environment: the reader runs sandboxed and can open no file.
      parsed = pandoc.read(chunk, reader, {}, {}).blocks
      if cached_count >= MAX_CACHED_CHUNKS then
        parsed_chunks, cached_count = {}, 0
      end
      parsed_chunks[chunk], cached_count = parsed, cached_count + 1
    end
    chunks[#chunks + 1] = { text = chunk, blocks = parsed }
  end
  return chunks
end

local function convert(request)
  local letter_docs = {}
  for index, letter in ipairs(request.letters) do
    letter_docs[index] = read_letter(letter.markdown, request.reader)
  end
  local documents = {}
  if request.docx then
    documents[#documents + 1] = write_docx(letter_docs, request.separator, request.docx)
  end
  if request.typst then
    for index, letter in ipairs(request.letters) do
      documents[#documents + 1] = write_typst(letter_docs[index], letter, request.typst)
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
end
