-- Assert that each rfm_segment_id of the seed names one RFM segment and each segment has one
-- id: BI tools key on the id, and 0 is kept for 'No purchase'.

with

rfm_segment_rules as (
    select * from {{ ref('rfm_segment_rules') }}
),

id_names as (
    select distinct
        rfm_segment_id,
        rfm_segment
    from rfm_segment_rules
),

ids_with_two_names as (
    select rfm_segment_id
    from id_names
    group by rfm_segment_id
    having count(*) > 1
),

names_with_two_ids as (
    select rfm_segment
    from id_names
    group by rfm_segment
    having count(*) > 1
),

violations as (
    select
        id_names.rfm_segment_id,
        id_names.rfm_segment
    from id_names
    where
        id_names.rfm_segment_id is null
        or id_names.rfm_segment_id <= 0
        or id_names.rfm_segment_id in (select ids_with_two_names.rfm_segment_id from ids_with_two_names)
        or id_names.rfm_segment in (select names_with_two_ids.rfm_segment from names_with_two_ids)
)

select * from violations
