{# Post-hook of the base_shop__* models: warn with the reject counts, or fail past var max_reject_share. #}
{% macro check_reject_budget() -%}
    {%- if execute -%}
        {%- set input_name = this.identifier.replace('base_shop__', '') -%}
        {%- set counts = run_query(
            'select count(*), count(reject_reason) from ' ~ this
        ).rows[0] -%}
        {%- set rows_in, rejected = counts[0] | int, counts[1] | int -%}
        {%- if rejected > 0 -%}
            {%- set reasons = [] -%}
            {%- for row in run_query(
                'select reject_reason, count(*) as rows_rejected from ' ~ this
                ~ ' where reject_reason is not null group by reject_reason'
                ~ ' order by rows_rejected desc, reject_reason limit 3'
            ) -%}
                {%- do reasons.append(row[1] ~ ' x ' ~ row[0]) -%}
            {%- endfor -%}
            {%- set share = rejected / rows_in -%}
            {%- set limit = setting('max_reject_share') -%}
            {%- set message = "Input '" ~ input_name ~ "': " ~ rejected ~ " of " ~ rows_in
                ~ " rows rejected (" ~ '%.1f' | format(100 * share) ~ "%); top reasons: "
                ~ reasons | join('; ') ~ ". Every rejected row is in marts.rejected_rows." -%}
            {%- if share > limit -%}
                {{ exceptions.raise_compiler_error(
                    message ~ " That is more than max_reject_share (" ~ limit ~ "): the build "
                    ~ "stops before any mart is rebuilt. Fix the input, or raise max_reject_share."
                ) }}
            {%- endif -%}
            {%- do exceptions.warn('[WARNING]: ' ~ message) -%}
        {%- endif -%}
    {%- endif -%}
{%- endmacro %}
