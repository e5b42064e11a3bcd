{# How to read a delimited text file: {'reader': SQL, 'location', 'columns': header names, 'row_issue': SQL}. #}
{% macro delimited_file_reader(path) -%}
    {#- The header line is read on its own and its most frequent delimiter (comma, semicolon,
        tab or pipe) is used, so a ragged row can never make DuckDB's sniffer pick another
        dialect or header. Every field is text (a bad value becomes a rejected row, not a failed
        read); line endings may be mixed. A row with fewer fields than the header has null in
        the last column (empty fields read as '', not null); one with more fields has a value in
        the extra column: row_issue says which, and staging rejects the row. -#}
    {%- set encoding = sql_string(setting('input_encoding')) -%}
    {%- set header = run_query(
        'select line from read_csv(' ~ sql_string(path) ~ ', auto_detect = false, header = false, '
        ~ "delim = chr(1), quote = '', escape = '', strict_mode = false, encoding = " ~ encoding
        ~ ", columns = {'line': 'VARCHAR'}) limit 1"
    ).columns[0].values() | list -%}
    {%- if header | length == 0 or header[0] is none -%}
        {{ exceptions.raise_compiler_error("Input file " ~ path ~ " is empty: it needs a header line.") }}
    {%- endif -%}
    {%- set line = header[0].lstrip('\ufeff').rstrip('\r') -%}
    {%- set counts = {} -%}
    {%- for candidate in [',', ';', '\t', '|'] -%}
        {%- do counts.update({candidate: line.count(candidate)}) -%}
    {%- endfor -%}
    {%- set delimiter = (counts | dictsort(by='value') | last)[0] if counts.values() | max > 0 else ',' -%}
    {%- set columns = [] -%}
    {%- for raw_name in line.split(delimiter) -%}
        {%- set name = raw_name.strip().strip('"').strip() or 'column_' ~ loop.index -%}
        {%- do columns.append(name if name | lower not in columns | map('lower') | list
                              else name ~ '_' ~ loop.index) -%}
    {%- endfor -%}
    {%- set declared = [] -%}
    {%- for name in columns + ['__extra_fields'] -%}
        {%- do declared.append(sql_string(name) ~ ": 'VARCHAR'") -%}
    {%- endfor -%}
    {%- set reader -%}
        read_csv(
            {{ sql_string(path) }}, auto_detect = false, header = true,
            delim = {{ sql_string(delimiter) }}, quote = '"', escape = '"',
            null_padding = true, strict_mode = false, nullstr = chr(2), encoding = {{ encoding }},
            columns = { {{ declared | join(', ') }} }
        )
    {%- endset -%}
    {%- set row_issue -%}
        case
            when "__extra_fields" is not null
                then 'ragged row: more fields than the {{ columns | length }} of the header'
            when {{ adapter.quote(columns[-1]) }} is null
                then 'ragged row: fewer fields than the {{ columns | length }} of the header'
        end
    {%- endset -%}
    {{ return({'reader': reader, 'location': 'file ' ~ path, 'columns': columns, 'row_issue': row_issue}) }}
{%- endmacro %}
